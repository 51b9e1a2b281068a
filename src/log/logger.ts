/** Readable, leveled log lines on stderr: `2026-11-22T02:10:00.123Z INFO  apiserver  listening on ...`. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  child(component: string): Logger;
}

let threshold: LogLevel = (process.env.SWITCHYARD_LOG_LEVEL as LogLevel | undefined) ?? 'info';

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

export function createLogger(component: string, sink: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  const emit = (level: LogLevel, msg: string): void => {
    if (ORDER[level] < ORDER[threshold]) return;
    sink(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${component.padEnd(12)} ${msg}`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    child: (c) => createLogger(c, sink),
  };
}
