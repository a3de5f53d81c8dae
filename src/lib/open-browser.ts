// Opens the user's default browser at the app (run.sh / run.bat set OPEN_BROWSER=1). Failure is harmless:
// the URL is in the log line above it.
import { spawn } from 'node:child_process';
import type { Logger } from './logger.js';

export function openBrowser(url: string, logger: Logger): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => logger.info(`Open ${url} in your browser.`));
    child.unref();
  } catch {
    logger.info(`Open ${url} in your browser.`);
  }
}
