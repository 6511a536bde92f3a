import { describe, expect, it } from "vitest";
import { canonicalPath } from "./canonicalPath.ts";

const canonical = (rest: string) => canonicalPath(rest)._unsafeUnwrap();
const reason = (rest: string) => canonicalPath(rest)._unsafeUnwrapErr().reason;

describe("canonicalPath", () => {
  describe("an ordinary path", () => {
    it("stays as it is", () => {
      expect(canonical("/v1/customers/cus_123")).toBe("/v1/customers/cus_123");
    });

    it("keeps a trailing slash", () => {
      expect(canonical("/v1/customers/")).toBe("/v1/customers/");
    });

    it("makes the empty path and a lone slash the root", () => {
      expect(canonical("")).toBe("/");
      expect(canonical("/")).toBe("/");
    });

    it("keeps dots inside names", () => {
      expect(canonical("/files/.env/a..b/c.")).toBe("/files/.env/a..b/c.");
    });
  });

  describe("repeated slashes", () => {
    it("collapse anywhere", () => {
      expect(canonical("//secret/a")).toBe("/secret/a");
      expect(canonical("/secret//a")).toBe("/secret/a");
      expect(canonical("///secret/a")).toBe("/secret/a");
      expect(canonical("/a//")).toBe("/a/");
    });

    it("never leave a leading `//` that could read as a host", () => {
      expect(canonical("//127.0.0.1:9002/x")).toBe("/127.0.0.1:9002/x");
      expect(canonical("//evil.example/x")).toBe("/evil.example/x");
    });
  });

  describe("dot segments", () => {
    it("resolve", () => {
      expect(canonical("/a/./b")).toBe("/a/b");
      expect(canonical("/a/b/../c")).toBe("/a/c");
      expect(canonical("/a/b/..")).toBe("/a/");
      expect(canonical("/a/.")).toBe("/a/");
      expect(canonical("/a/..")).toBe("/");
    });

    it("resolve when percent-encoded, in either case", () => {
      expect(canonical("/public/%2e%2e/admin/x")).toBe("/admin/x");
      expect(canonical("/public/%2E%2e/admin/x")).toBe("/admin/x");
      expect(canonical("/a/%2e/b")).toBe("/a/b");
    });

    it("refuse to climb above the proxy root", () => {
      expect(reason("/..")).toBe("climbs_above_root");
      expect(reason("/a/../..")).toBe("climbs_above_root");
      expect(reason("/%2e%2e/x")).toBe("climbs_above_root");
    });
  });

  describe("percent-encoding", () => {
    it("decodes unreserved characters only", () => {
      expect(canonical("/%41%62%7E%2D%5F%30")).toBe("/Ab~-_0");
      expect(canonical("/a%20b/%3F%23")).toBe("/a%20b/%3F%23");
    });

    it("writes the hex of what it keeps in upper case", () => {
      expect(canonical("/caf%c3%a9")).toBe("/caf%C3%A9");
    });

    it("refuses malformed escapes", () => {
      expect(reason("/a%zz")).toBe("bad_percent_encoding");
      expect(reason("/a%4")).toBe("bad_percent_encoding");
      expect(reason("/a%")).toBe("bad_percent_encoding");
    });

    it("keeps `%25` as a literal percent, not decoded again", () => {
      expect(canonical("/a%2541")).toBe("/a%2541");
      expect(canonical("/report%2520final")).toBe("/report%2520final");
      expect(canonical("/a%252eb")).toBe("/a%252eb");
    });
  });

  describe("what rules and upstream could read differently", () => {
    it("refuses an encoded slash", () => {
      expect(reason("/public/..%2fadmin/x")).toBe("encoded_slash");
      expect(reason("/a%2Fb")).toBe("encoded_slash");
      expect(reason("/public/%2e%2e%2fadmin/x")).toBe("encoded_slash");
    });

    it("refuses a backslash, raw or encoded", () => {
      expect(reason("/a\\b")).toBe("backslash");
      expect(reason("/a%5cb")).toBe("backslash");
      expect(reason("/a%5Cb")).toBe("backslash");
    });

    it("refuses NUL", () => {
      expect(reason("/a%00b")).toBe("nul");
    });

    it("refuses what a second decoding would make a separator or a dot segment", () => {
      expect(reason("/public/%252e%252e%252fadmin/x")).toBe("ambiguous_segment");
      expect(reason("/public/%252e%252e/admin/x")).toBe("ambiguous_segment");
      expect(reason("/a%255cb")).toBe("ambiguous_segment");
      expect(reason("/a%2500")).toBe("ambiguous_segment");
      expect(reason("/..%3Bx/admin")).toBe("ambiguous_segment");
    });

    it("refuses a dot segment with a parameter", () => {
      expect(reason("/public/..;/admin")).toBe("ambiguous_segment");
      expect(reason("/public/.;x/admin")).toBe("ambiguous_segment");
    });
  });

  it("is stable: the canonical form is its own canonical form", () => {
    for (const rest of ["//a/./b/../c//", "/%7euser/%c3%a9/", "/x/%2e%2e/y", "/a%2520b"]) {
      const once = canonical(rest);
      expect(canonical(once)).toBe(once);
    }
  });
});
