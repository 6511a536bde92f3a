/**
 * What `ferry serve` and `ferry worker` share before and after they run:
 * the configuration (a bad one exits 2 with its message), and a stop on
 * SIGTERM or SIGINT that runs once and exits 0.
 */
import { ConfigError, readConfig, type FerryConfig } from "../runtime/config.ts";
import type { Logger } from "../runtime/logger.ts";

export const readConfigOrExit = (): FerryConfig => {
  try {
    return readConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`ferry: ${error.message}`);
    process.exit(2);
  }
};

/** Exits 1 with `ferry: {message}` when `start` fails. */
export const startedOrExit = async <T>(start: () => Promise<T>): Promise<T> => {
  try {
    return await start();
  } catch (error) {
    console.error(`ferry: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
};

export const stopOnSignals = (logger: Logger, what: string, stop: () => Promise<void>): void => {
  let stopping = false;
  const onSignal = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, what);
    await stop();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void onSignal("SIGTERM"));
  process.on("SIGINT", () => void onSignal("SIGINT"));
};
