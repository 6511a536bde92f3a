import { fromRemoteError } from "./remoteError.ts";
import type { WorkerReply, WorkerRequest } from "./workerMessages.ts";

/** The main thread's end of a worker: one postMessage per request, one reply back. */
export type WorkerChannel = {
  /** Sends `request`; settles with the worker's answer, or rejects once the worker is gone. */
  call(request: WorkerRequest): Promise<unknown>;
  /** Keeps the process alive until the answered release is called (an open transaction). */
  hold(): () => void;
  /** Rejects every call still out, asks the worker to close, then terminates it. */
  close(): Promise<void>;
};

/*
 * A worker that will not answer its close (stuck in a statement) is
 * terminated anyway after this long: to Postgres that is a crash, which it
 * recovers from on the next open, and a stuck shutdown is worse.
 */
const closeTimeoutMs = 10_000;

type Call = { resolve(value: unknown): void; reject(error: unknown): void };

/**
 * Starts the worker at `url` and answers its channel. The worker holds the
 * process open only while a call or a transaction is out, so a process that
 * forgets to close still exits (as it would, late, with PGlite in-thread).
 */
export function openWorkerChannel(url: URL): WorkerChannel {
  // Bun's Worker, typed as such: the DOM typings lack ref() and unref().
  const worker = new Worker(url) as unknown as Bun.Worker;
  const pending = new Map<number, Call>();
  let nextId = 1;
  let holds = 0;
  let gone: Error | null = null;
  let closing: Promise<void> | null = null;

  worker.unref();
  const busier = () => {
    if (pending.size + holds === 0) worker.ref();
  };
  const idler = () => {
    if (pending.size + holds === 0) worker.unref();
  };

  const rejectAll = (error: Error) => {
    gone ??= error;
    for (const [id, call] of pending) {
      pending.delete(id);
      call.reject(gone);
    }
    idler();
  };

  worker.addEventListener("message", (event) => {
    const { id, value, error } = (event as MessageEvent<WorkerReply>).data;
    const call = pending.get(id);
    // Already rejected by a close.
    if (call === undefined) return;

    pending.delete(id);
    idler();
    if (error === undefined) call.resolve(value);
    else call.reject(fromRemoteError(error));
  });
  worker.onerror = (event) => {
    rejectAll(new Error(`the PGlite worker failed: ${event.message}`));
    worker.terminate();
  };
  worker.addEventListener("close", () => {
    rejectAll(new Error("the PGlite worker exited"));
  });

  const send = (request: WorkerRequest) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      worker.postMessage({ ...request, id });
      busier();
      pending.set(id, { resolve, reject });
    });

  const close = async () => {
    const crashed = gone !== null;
    rejectAll(new Error("PGlite is closed"));
    if (crashed) return worker.terminate();

    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, closeTimeoutMs)));
    try {
      await Promise.race([send({ op: "close" }), timeout]);
    } finally {
      clearTimeout(timer);
      worker.terminate();
    }
  };

  return {
    call: (request) => (gone === null ? send(request) : Promise.reject(gone)),
    hold: () => {
      busier();
      holds += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds -= 1;
        idler();
      };
    },
    close: () => (closing ??= close()),
  };
}
