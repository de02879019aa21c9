// The failover story against a real NSD primary and NSD secondary on loopback, driving the built
// binary as cron would. The steps are in ./scenario.ts, shared with the other nameserver.
import { failoverSuite } from './scenario.js';

failoverSuite('nsd');
