// The watch's own textfile for node_exporter, written beside metrics_file after every probe
// cycle (`zonerw.prom` -> `zonerw-watch.prom`): a steady watch writes no run metrics, so without
// it an alert could not tell a watch that probes from one that hangs. Removed when the watch
// exits on purpose. Pure: the times come in, the text goes out.

/** `zonerw.prom` -> `zonerw-watch.prom`; a name without `.prom` gets `-watch.prom` added. */
export function watchMetricsPath(metricsFile: string): string {
  return metricsFile.replace(/(\.prom)?$/, '-watch.prom');
}

export function renderWatchMetrics(w: { startedAt: number; lastProbeAt: number; intervalMs: number }): string {
  const seconds = (ms: number) => String(Number((ms / 1000).toFixed(3)));
  return [
    '# HELP zonerw_watch_last_probe_timestamp_seconds When zonerw watch last finished probing the servers, in seconds since the epoch.',
    '# TYPE zonerw_watch_last_probe_timestamp_seconds gauge',
    `zonerw_watch_last_probe_timestamp_seconds ${seconds(w.lastProbeAt)}`,
    '# HELP zonerw_watch_interval_seconds How often zonerw watch probes ([watch] interval).',
    '# TYPE zonerw_watch_interval_seconds gauge',
    `zonerw_watch_interval_seconds ${seconds(w.intervalMs)}`,
    '# HELP zonerw_watch_start_timestamp_seconds When the running zonerw watch started, in seconds since the epoch.',
    '# TYPE zonerw_watch_start_timestamp_seconds gauge',
    `zonerw_watch_start_timestamp_seconds ${seconds(w.startedAt)}`,
    '',
  ].join('\n');
}
