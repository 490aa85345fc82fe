/**
 * memtierd's log: lines prefixed `DEBUG: `, `INFO: `, `WARN: `, `ERROR: `
 * (as the Go memtierd writes them), debug lines only when enabled.
 *
 * @module
 */

/** Log levels, lowest first. */
export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

/** Writes log lines to a destination. */
export class Logger {
  #write: (text: string) => void;
  debugEnabled: boolean;
  prefix: string;

  constructor(write: (text: string) => void, options: { debug?: boolean; prefix?: string } = {}) {
    this.#write = write;
    this.debugEnabled = options.debug ?? false;
    this.prefix = options.prefix ?? "";
  }

  log(level: LogLevel, message: string): void {
    if (level === "DEBUG" && !this.debugEnabled) return;
    const text = message.endsWith("\n") ? message : `${message}\n`;
    this.#write(`${this.prefix}${level}: ${text}`);
  }

  debug(message: string): void {
    this.log("DEBUG", message);
  }

  info(message: string): void {
    this.log("INFO", message);
  }

  warn(message: string): void {
    this.log("WARN", message);
  }

  error(message: string): void {
    this.log("ERROR", message);
  }
}

/** A logger that drops everything (for tests and components without one). */
export function silentLogger(): Logger {
  return new Logger(() => {});
}
