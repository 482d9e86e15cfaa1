# The log files of the production-size history (scripts/lib/seed/production-size.sql), written
# from the same formulas of the row number instead of being read back from the database:
# etl-service.log, errors.log, metrics.log and audit.log for the last 7 days, and weekly
# rotated files (etl-service.YYYY-MM-DD.log, the Monday of the week) before that.
# Lines are in time order within about two minutes (a file's completion is written with its
# upload). Variables: files, days, end_epoch, alerts, dir.
#   awk -v files=5000000 -v days=365 -v end_epoch=$(date +%s) -v alerts=100000 -v dir=LOGS -f production-logs.awk
function farm(n) { return FARMS[n % 8] }
function stamp(t) { if (!(t in TS)) { if (++tsn > 4096) { delete TS; tsn = 0 } TS[t] = strftime("%Y-%m-%d %H:%M:%S", t) } return TS[t] }
function out(target, t, line,   d, name) {
  if (t > recent) name = target ".log"
  else {
    d = int(t / 86400)
    if (!(d in WEEK)) WEEK[d] = strftime("%Y-%m-%d", (d - (d + 3) % 7) * 86400)
    name = target "." WEEK[d] ".log"
  }
  print line > (dir "/" name)
}
# Alerts (one every days/alerts, 2 hours before the file slot) and their resolutions
# 10-90 minutes later, written when the files' clock passes them.
function alerts_until(t,   n, k, rt) {
  while (j <= alerts && next_alert <= t) {
    n = j % 4
    out("etl-service", next_alert, stamp(next_alert) " ALERT " AN[n + 1] " severity=" AS[n + 1] " " AM[n])
    rt = next_alert + (10 + j % 80) * 60
    if (rt > end_epoch) rt = end_epoch
    PEND[rt "|" j] = AN[n + 1]
    if (rt < pending_min) pending_min = rt
    j++
    next_alert = int(start + j * astep) - 7200
  }
  if (pending_min <= t) {
    pending_min = end_epoch + 1
    for (k in PEND) {
      split(k, P, "|")
      if (P[1] + 0 <= t) { out("etl-service", P[1] + 0, stamp(P[1] + 0) " INFO  alerts " PEND[k] " resolved"); delete PEND[k] }
      else if (P[1] + 0 < pending_min) pending_min = P[1] + 0
    }
  }
}
BEGIN {
  split("fazenda-boa-vista fazenda-santa-rita agro-pantanal fazenda-esperanca sitio-tres-irmaos fazenda-rio-verde agropecuaria-cerrado fazenda-sao-jose", F, " ")
  for (k = 0; k < 8; k++) FARMS[k] = F[k + 1]
  start = end_epoch - days * 86400
  step = days * 86400.0 / files
  recent = end_epoch - 7 * 86400
  split("high_error_rate dlq_backlog pipeline_stalled slow_processing", AN, " ")
  split("critical warning critical warning", AS, " ")
  AM[0] = "error rate 12.5% in the last hour (4 of 32 files)"
  AM[1] = "117 unresolved dead letter queue entries"
  AM[2] = "14 files waiting more than 30 minutes, none finished in the last 30 minutes"
  AM[3] = "mean processing 212.40s in the last hour, baseline 55.10s"
  astep = days * 86400.0 / alerts
  j = 1; next_alert = int(start + astep) - 7200; pending_min = end_epoch + 1
  for (i = 1; i <= files + 1; i++) {
    ts = i <= files ? int(start + i * step) : end_epoch + 1
    alerts_until(ts)
    if (i > files) break
    r = (i * 7919) % 10007
    wait = 5 + (i * 31) % 25; dur = 20 + (i * 17) % 70; nrows = 10 + (i * 13) % 50
    done = ts + wait + dur
    name = sprintf("%s_%s_%d.csv", farm(i), strftime("%Y%m%d_%H%M%S", ts), i)
    up = stamp(ts)
    out("etl-service", ts, up " INFO  api file_id=" i " uploaded file=" name)
    out("audit", ts, up " AUDIT actor=farm-upload action=files.upload target=file:" i " result=ok filename=" name)
    fin = stamp(done)
    if (r < 9888) {
      rej = ((i * 101) % 1000 < 10) ? 1 + i % 5 : 0
      out("etl-service", done, fin " INFO  worker file_id=" i " loaded rows=" nrows " rejected=" rej " file=" name)
    } else {
      if (r < 9948) { type = "validation"; msg = "invalid header 'fazenda;lote;cabecas;peso;preco': expected farm,lot,head_count,weight_kg,price" }
      else if (r < 9988) { type = "data"; msg = "no valid rows, " nrows " rejected: line 2: weight_kg -450 is out of range 1...2000 kg per head" }
      else if (r < 10002) { type = "connection"; msg = "connection refused: upstream storage unavailable (storage.conectaboi.internal:9000)" }
      else { type = "resource"; msg = "file too large: 9437184 bytes exceeds the 8388608-byte limit" }
      line = fin " ERROR worker file_id=" i " " type " " name " " msg
      out("etl-service", done, line)
      out("errors", done, line)
    }
    out("metrics", done, fin " PROCESSING_TIME " name " " (dur * 1000))
  }
}
