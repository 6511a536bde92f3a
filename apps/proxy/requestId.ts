/** Crockford's Base32, as ULIDs spell it. */
const ENCODING = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;

/**
 * Fresh `req_{ULID}` ids, monotonic within this process: in one millisecond
 * the random part counts up, as `ulid`'s `monotonicFactory` does. Built for
 * the hot path: the time is encoded once per millisecond and the string up to
 * the random part's last character is kept, so most ids cost one
 * concatenation; the random part is drawn in one call per millisecond.
 */
export function requestIdFactory(clock: () => number = Date.now): () => string {
  const digits = new Uint8Array(RANDOM_LENGTH);
  let lastTime = -1;
  let time = "";
  let stem = "";

  const restem = () => {
    let text = "req_" + time;
    for (let i = 0; i < RANDOM_LENGTH - 1; i++) text += ENCODING[digits[i]!];
    stem = text;
  };

  return () => {
    const at = clock();
    if (at > lastTime) {
      lastTime = at;
      time = encodeTime(at);
      crypto.getRandomValues(digits);
      for (let i = 0; i < RANDOM_LENGTH; i++) digits[i]! &= 31;
      restem();
    } else {
      // The same (or an earlier) millisecond: one more than the last id.
      let i = RANDOM_LENGTH - 1;
      while (i >= 0 && digits[i] === 31) digits[i--] = 0;
      if (i >= 0) digits[i]! += 1;
      if (i !== RANDOM_LENGTH - 1) restem();
    }
    return stem + ENCODING[digits[RANDOM_LENGTH - 1]!];
  };
}

function encodeTime(ms: number): string {
  let text = "";
  let rest = ms;
  for (let i = 0; i < TIME_LENGTH; i++) {
    const mod = rest % 32;
    text = ENCODING[mod] + text;
    rest = (rest - mod) / 32;
  }
  return text;
}
