/**
 * The embedded store is one PGlite instance in a folder: two processes on
 * the same folder would corrupt it. A pid file taken exclusively guards it;
 * one left by a process that no longer runs is taken over.
 */
import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

export class DataDirBusyError extends Error {}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

export const lockDataDir = async (dataDir: string): Promise<() => Promise<void>> => {
  const path = join(dataDir, "ferry.pid");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, "wx", 0o600);
      await file.writeFile(String(process.pid));
      await file.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid))
        throw new DataDirBusyError(
          `another Ferry process (pid ${pid}) is using the data folder ${dataDir}; stop it first, or use the Core API`,
        );
      await rm(path, { force: true });
    }
  }
  throw new DataDirBusyError(`could not lock the data folder ${dataDir}`);
};
