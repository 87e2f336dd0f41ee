/**
 * A one-line progress bar on a terminal (stderr), redrawn at most ten times a second; nothing when
 * stderr is not a terminal (CI logs stay clean).
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let lastDraw = 0;
  const enabled = stream.isTTY === true;
  return {
    update(label: string, done: number, total: number) {
      if (!enabled) return;
      const now = Date.now();
      if (now - lastDraw < 100 && done < total) return;
      lastDraw = now;
      const width = 24;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? (done / seconds).toFixed(0) : '-';
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${rate}/s ${seconds.toFixed(1)}s\u001b[K`);
    },
    finish() {
      if (enabled) stream.write('\n');
    },
  };
}
