#!/bin/sh
# The classic job zonerw replaces, written the way a sysadmin had it in cron before: curl for
# the check, a state file with the last favoured IP and serial, sed for the markers, the
# checker, mv into place, then nsd-control reload + notify for each zone. It is the bench's
# baseline (bench/bench.ts), so it is kept honest: no artificial slowness (parameter expansion
# instead of basename, one `date` per run, dash as /bin/sh), and no more care than the
# original had either (no fsync, one serial for every zone, value-form markers only).
#
# Usage: baseline.sh SETTINGS     SETTINGS is a shell fragment that sets:
#   CHECK_URL      http://ADDRESS/path of the main server, asked directly at its address
#   CHECK_HOST     the Host header to send
#   CHECK_TIMEOUT  seconds (curl --max-time), default 5
#   MAIN_IP        what @IP@ becomes while the main server answers 2xx/3xx
#   BACKUP_IP      what @IP@ becomes otherwise
#   BASE_DIR       <zone>.base files
#   ZONE_DIR       <zone> files, what the nameserver loads
#   STATE_FILE     "LAST_IP LAST_SERIAL", written by this script
#   CHECKZONE      yes | no: run nsd-checkzone before installing, default yes
#   CONTROL        control command prefix, default nsd-control; the bench sets
#                  "nsd-control -c DIR/nsd.conf" for a lab NSD, or /bin/true (an external no-op,
#                  forked like nsd-control would be) when measuring without a server
# Exit: 0 when nothing changed or everything was published, 1 when something failed.
set -u
. "$1"
CHECK_TIMEOUT=${CHECK_TIMEOUT:-5}
CHECKZONE=${CHECKZONE:-yes}
CONTROL=${CONTROL:-nsd-control}

code=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$CHECK_TIMEOUT" -H "Host: $CHECK_HOST" "$CHECK_URL")
case $code in
  2??|3??) ip=$MAIN_IP ;;
  *) ip=$BACKUP_IP ;;
esac

last_ip=
last_serial=0
if [ -f "$STATE_FILE" ]; then
  read -r last_ip last_serial < "$STATE_FILE"
fi
# Steady run: the favoured server did not change, nothing to do.
[ "$ip" = "$last_ip" ] && exit 0

# YYYYMMDDSS: today's 00, or one more than the last serial when that is already today's or later
today=$(date -u +%Y%m%d)
serial=$((today * 100))
if [ "$last_serial" -ge "$serial" ]; then
  serial=$((last_serial + 1))
fi

status=0
for base in "$BASE_DIR"/*.base; do
  zone=${base##*/}
  zone=${zone%.base}
  tmp="$ZONE_DIR/.$zone.new"
  if ! sed -e "s/@IP@/$ip/g" -e "s/@serial number@/$serial/" "$base" > "$tmp"; then
    echo "$zone: cannot write $tmp" >&2
    status=1
    continue
  fi
  if [ "$CHECKZONE" = yes ] && ! nsd-checkzone "$zone" "$tmp" > /dev/null; then
    echo "$zone: refused by nsd-checkzone, not installed" >&2
    rm -f "$tmp"
    status=1
    continue
  fi
  mv "$tmp" "$ZONE_DIR/$zone"
  # $CONTROL is split into words on purpose: "nsd-control -c /etc/nsd/nsd.conf"
  if ! $CONTROL reload "$zone" > /dev/null || ! $CONTROL notify "$zone" > /dev/null; then
    echo "$zone: $CONTROL reload/notify failed" >&2
    status=1
  fi
done
echo "$ip $serial" > "$STATE_FILE"
echo "favouring $ip, serial $serial"
exit $status
