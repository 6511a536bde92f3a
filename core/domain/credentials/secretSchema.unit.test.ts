import { describe, expect, it } from "vitest";
import type { DomainError } from "../errors.ts";
import type { AuthType, CredentialType } from "../events.ts";
import { parseSecret, type ParsedSecret } from "./secretSchema.ts";

const parsed = (credentialType: CredentialType, authType: AuthType, input: unknown): ParsedSecret =>
  parseSecret(credentialType, authType, input)._unsafeUnwrap();

const refused = (credentialType: CredentialType, authType: AuthType, input: unknown): DomainError =>
  parseSecret(credentialType, authType, input)._unsafeUnwrapErr();

/** The fields an `invalid_secret` names. */
const badFields = (error: DomainError): string[] =>
  ((error.details?.issues ?? []) as { field: string }[]).map((issue) => issue.field);

describe("parseSecret, which authTypes each credential type allows", () => {
  const allowed: [CredentialType, AuthType][] = [
    ["proxy", "apiKey"],
    ["proxy", "bearer"],
    ["proxy", "basicAuth"],
    ["target", "apiKey"],
    ["target", "bearer"],
    ["target", "basicAuth"],
    ["target", "oauth2"],
    ["target", "custom"],
    ["target", "none"],
  ];
  const notAllowed: [CredentialType, AuthType][] = [
    ["proxy", "oauth2"],
    ["proxy", "custom"],
    ["proxy", "none"],
    ["target", "jwtVerify"],
  ];

  for (const [credentialType, authType] of notAllowed) {
    it(`refuses ${authType} for a ${credentialType} credential`, () => {
      expect(refused(credentialType, authType, {})).toMatchObject({
        code: "auth_type_not_allowed",
        details: { field: "authType" },
      });
    });
  }

  it("refuses jwtVerify for a proxy credential as not supported yet", () => {
    const error = refused("proxy", "jwtVerify", { jwksUri: "https://id.example/jwks" });
    expect(error.code).toBe("auth_type_not_supported");
    expect(error.message).toMatch(/not supported/);
  });

  it("refuses an authType or credential type it does not know", () => {
    expect(refused("proxy", "hmac" as AuthType, {}).code).toBe("auth_type_not_allowed");
    expect(refused("proxy", "toString" as AuthType, {}).code).toBe("auth_type_not_allowed");
    expect(refused("both" as CredentialType, "apiKey", {}).code).toBe("auth_type_not_allowed");
  });

  for (const [credentialType, authType] of allowed) {
    it(`refuses unknown fields for ${credentialType} ${authType}, naming them`, () => {
      const error = refused(credentialType, authType, { keyVal: "x", tokn: "y" });
      expect(error.code).toBe("secret_fields_unknown");
      expect(error.details?.field).toBe("secret.keyVal");
      expect(error.details?.fields).toEqual(["secret.keyVal", "secret.tokn"]);
      const issues = error.details?.issues as { field: string }[];
      expect(issues.slice(0, 2).map((issue) => issue.field)).toEqual([
        "secret.keyVal",
        "secret.tokn",
      ]);
      expect(error.message).toContain("keyVal");
    });
  }

  it("names the known fields' faults beside the unknown ones", () => {
    const error = refused("target", "apiKey", { keyValue: 42, keyName: "X-Key", zzz: 1 });
    expect(error.code).toBe("secret_fields_unknown");
    expect((error.details?.issues as { field: string }[]).map((issue) => issue.field)).toEqual([
      "secret.zzz",
      "secret.keyValue",
    ]);
  });

  it("refuses a secret that is not an object", () => {
    for (const input of ["key", 42, ["keyValue"]]) {
      expect(refused("target", "bearer", input)).toMatchObject({
        code: "invalid_secret",
        details: { field: "secret" },
      });
    }
  });
});

describe("parseSecret, proxy apiKey", () => {
  it("asks the edge to generate the key when none is given, with the default keyName", () => {
    for (const input of [undefined, null, {}]) {
      expect(parsed("proxy", "apiKey", input)).toEqual({
        credentialType: "proxy",
        authType: "apiKey",
        public: { keyName: "X-API-Key" },
        secret: {},
        fields: ["keyValue", "keyName"],
        generateKeyValue: true,
      });
    }
  });

  it("accepts a supplied key of at least 16 characters", () => {
    const secret = parsed("proxy", "apiKey", { keyValue: "pk_0123456789abcd", keyName: "X-Key" });
    expect(secret.secret).toEqual({ keyValue: "pk_0123456789abcd" });
    expect(secret.public).toEqual({ keyName: "X-Key" });
    expect(secret.generateKeyValue).toBe(false);
  });

  it("refuses a supplied key shorter than 16 characters", () => {
    expect(badFields(refused("proxy", "apiKey", { keyValue: "pk_short" }))).toEqual([
      "secret.keyValue",
    ]);
  });

  it("refuses a keyName that is not a header token (space, colon, CR, LF, empty)", () => {
    for (const keyName of ["X Key", "X-Key:", "X-Key\r\n", "", "Ключ"]) {
      const error = refused("proxy", "apiKey", { keyName });
      expect(error.code).toBe("invalid_secret");
      expect(badFields(error)).toEqual(["secret.keyName"]);
    }
  });

  it("refuses a key that is not a string", () => {
    expect(badFields(refused("proxy", "apiKey", { keyValue: 1234567890123456789 }))).toEqual([
      "secret.keyValue",
    ]);
  });
});

describe("parseSecret, target apiKey", () => {
  it("defaults to a header named X-API-Key", () => {
    expect(parsed("target", "apiKey", { keyValue: "tk_target" })).toEqual({
      credentialType: "target",
      authType: "apiKey",
      public: { keyName: "X-API-Key", in: "header" },
      secret: { keyValue: "tk_target" },
      fields: ["keyValue", "keyName", "in"],
      generateKeyValue: false,
    });
  });

  it("requires keyValue", () => {
    const error = refused("target", "apiKey", { keyName: "X-Api-Key" });
    expect(error.code).toBe("invalid_secret");
    expect(badFields(error)).toEqual(["secret.keyValue"]);
    expect(error.message).toContain("is required");
  });

  it("puts the key in the query when asked, keeping its characters for encoding later", () => {
    const secret = parsed("target", "apiKey", {
      keyValue: "s3cr&et=+x/y%z#q ",
      keyName: "api_key",
      in: "query",
    });
    expect(secret.public).toEqual({ keyName: "api_key", in: "query" });
    expect(secret.secret).toEqual({ keyValue: "s3cr&et=+x/y%z#q " });
  });

  it("refuses `in` other than header or query", () => {
    expect(badFields(refused("target", "apiKey", { keyValue: "k", in: "body" }))).toEqual([
      "secret.in",
    ]);
  });

  it("refuses (C13) a header value holding CR, LF or NUL", () => {
    for (const keyValue of ["tk\r\nX-Admin: true", "tk\nX-Admin: true", "tk\rx", "tk\u0000x"]) {
      const error = refused("target", "apiKey", { keyValue, keyName: "X-Api-Key" });
      expect(error.code).toBe("invalid_secret");
      expect(badFields(error)).toEqual(["secret.keyValue"]);
    }
  });

  it("refuses CR or LF in a query value too", () => {
    expect(
      badFields(refused("target", "apiKey", { keyValue: "tk\r\nx", in: "query", keyName: "k" })),
    ).toEqual(["secret.keyValue"]);
  });

  it("refuses a header value with leading or trailing whitespace, which fetch would strip", () => {
    expect(badFields(refused("target", "apiKey", { keyValue: " tk" }))).toEqual([
      "secret.keyValue",
    ]);
  });

  it("refuses (C13) a keyName with a space or a colon", () => {
    for (const keyName of ["X Api Key", "X-Api-Key:", "X-Api-Key\r\nX-Admin"]) {
      expect(badFields(refused("target", "apiKey", { keyValue: "tk", keyName }))).toEqual([
        "secret.keyName",
      ]);
    }
  });

  it("names every bad field at once", () => {
    const error = refused("target", "apiKey", { keyValue: "a\nb", keyName: "a b", in: "x" });
    expect(badFields(error)).toEqual(["secret.keyValue", "secret.keyName", "secret.in"]);
    expect(error.details?.field).toBe("secret.keyValue");
  });
});

describe("parseSecret, bearer", () => {
  for (const credentialType of ["proxy", "target"] as const) {
    it(`${credentialType}: defaults the prefix to Bearer`, () => {
      expect(parsed(credentialType, "bearer", { token: "t0k" })).toMatchObject({
        public: { prefix: "Bearer" },
        secret: { token: "t0k" },
        fields: ["token", "prefix"],
      });
    });
  }

  it("keeps another scheme, or none", () => {
    expect(parsed("target", "bearer", { token: "t", prefix: "Token" }).public).toEqual({
      prefix: "Token",
    });
    expect(parsed("target", "bearer", { token: "t", prefix: "" }).public).toEqual({ prefix: "" });
  });

  it("requires the token", () => {
    expect(badFields(refused("target", "bearer", {}))).toEqual(["secret.token"]);
    expect(badFields(refused("target", "bearer", { token: "" }))).toEqual(["secret.token"]);
  });

  it("refuses CR or LF in the token and a prefix that is not a token", () => {
    expect(badFields(refused("target", "bearer", { token: "t\r\nX-Admin: 1" }))).toEqual([
      "secret.token",
    ]);
    expect(badFields(refused("target", "bearer", { token: "t", prefix: "Bearer x" }))).toEqual([
      "secret.prefix",
    ]);
  });
});

describe("parseSecret, basicAuth", () => {
  it("shows the username and keeps the password secret", () => {
    expect(parsed("proxy", "basicAuth", { username: "acme", password: "pw_SECRET2" })).toEqual({
      credentialType: "proxy",
      authType: "basicAuth",
      public: { username: "acme" },
      secret: { password: "pw_SECRET2" },
      fields: ["username", "password"],
      generateKeyValue: false,
    });
  });

  it("allows an empty password on a target (keys sent as the username)", () => {
    expect(parsed("target", "basicAuth", { username: "sk_live", password: "" }).secret).toEqual({
      password: "",
    });
  });

  it("requires a password on a proxy credential", () => {
    expect(badFields(refused("proxy", "basicAuth", { username: "a", password: "" }))).toEqual([
      "secret.password",
    ]);
  });

  it("requires both fields", () => {
    expect(badFields(refused("target", "basicAuth", {}))).toEqual([
      "secret.username",
      "secret.password",
    ]);
  });

  it("refuses a colon in the username and control characters in either", () => {
    expect(badFields(refused("target", "basicAuth", { username: "a:b", password: "p" }))).toEqual([
      "secret.username",
    ]);
    expect(
      badFields(refused("target", "basicAuth", { username: "a\r\n", password: "p\u0000" })),
    ).toEqual(["secret.username", "secret.password"]);
  });
});

describe("parseSecret, oauth2", () => {
  it("takes an access token alone as a static bearer token", () => {
    expect(parsed("target", "oauth2", { accessToken: "at_1" })).toEqual({
      credentialType: "target",
      authType: "oauth2",
      public: {},
      secret: { accessToken: "at_1" },
      fields: ["accessToken"],
      generateKeyValue: false,
    });
  });

  it("requires accessToken", () => {
    expect(badFields(refused("target", "oauth2", { refreshToken: "r" }))).toEqual([
      "secret.accessToken",
    ]);
  });

  it("refreshes with the refresh token when one is given, normalising expiresAt", () => {
    expect(
      parsed("target", "oauth2", {
        accessToken: "at",
        refreshToken: "rt",
        expiresAt: "2026-01-01T01:00:00+01:00",
        tokenUrl: "https://auth.example.com/token",
        clientId: "app",
        clientSecret: "cs",
        scope: "read write",
      }),
    ).toEqual({
      credentialType: "target",
      authType: "oauth2",
      public: {
        expiresAt: "2026-01-01T00:00:00.000Z",
        tokenUrl: "https://auth.example.com/token",
        clientId: "app",
        scope: "read write",
        grantType: "refresh_token",
      },
      secret: { accessToken: "at", refreshToken: "rt", clientSecret: "cs" },
      fields: [
        "accessToken",
        "refreshToken",
        "expiresAt",
        "tokenUrl",
        "clientId",
        "clientSecret",
        "scope",
        "grantType",
      ],
      generateKeyValue: false,
    });
  });

  it("uses client_credentials when there is no refresh token", () => {
    const secret = parsed("target", "oauth2", {
      accessToken: "at",
      tokenUrl: "https://auth.example.com/token",
      clientId: "app",
      clientSecret: "cs",
    });
    expect(secret.public.grantType).toBe("client_credentials");
  });

  it("requires what the grant needs", () => {
    const base = { accessToken: "at", tokenUrl: "https://auth.example.com/token" };
    expect(badFields(refused("target", "oauth2", base))).toEqual([
      "secret.clientId",
      "secret.clientSecret",
    ]);
    expect(badFields(refused("target", "oauth2", { ...base, grantType: "refresh_token" }))).toEqual(
      ["secret.refreshToken"],
    );
  });

  it("refuses a grantType without tokenUrl, and an unknown grantType", () => {
    expect(
      badFields(refused("target", "oauth2", { accessToken: "at", grantType: "refresh_token" })),
    ).toEqual(["secret.grantType"]);
    expect(
      badFields(
        refused("target", "oauth2", {
          accessToken: "at",
          tokenUrl: "https://a.example/t",
          grantType: "password",
        }),
      ),
    ).toEqual(["secret.grantType"]);
  });

  it("refuses a tokenUrl that is not an absolute http(s) URL, and a bad expiresAt", () => {
    for (const tokenUrl of ["/token", "ftp://a.example/t", "https://u:p@a.example/t"]) {
      expect(
        badFields(refused("target", "oauth2", { accessToken: "at", tokenUrl, refreshToken: "r" })),
      ).toEqual(["secret.tokenUrl"]);
    }
    expect(
      badFields(refused("target", "oauth2", { accessToken: "at", expiresAt: "next week" })),
    ).toEqual(["secret.expiresAt"]);
  });

  it("refuses (C13) CR or LF in the access token", () => {
    expect(badFields(refused("target", "oauth2", { accessToken: "at\r\nX-Admin: 1" }))).toEqual([
      "secret.accessToken",
    ]);
  });
});

describe("parseSecret, custom", () => {
  it("keeps header and query maps secret, naming each entry", () => {
    expect(
      parsed("target", "custom", {
        headers: { "X-Tenant": "acme", "X-Token": "t" },
        query: { key: "v a&l" },
      }),
    ).toEqual({
      credentialType: "target",
      authType: "custom",
      public: {},
      secret: { headers: { "X-Tenant": "acme", "X-Token": "t" }, query: { key: "v a&l" } },
      fields: ["headers.X-Tenant", "headers.X-Token", "query.key"],
      generateKeyValue: false,
    });
  });

  it("accepts headers alone or query alone", () => {
    expect(parsed("target", "custom", { headers: { "X-A": "1" } }).fields).toEqual(["headers.X-A"]);
    expect(parsed("target", "custom", { query: { a: "1" }, headers: {} }).fields).toEqual([
      "query.a",
    ]);
  });

  it("requires at least one header or query parameter", () => {
    for (const input of [{}, { headers: {} }, { headers: {}, query: {} }]) {
      expect(refused("target", "custom", input).code).toBe("invalid_secret");
    }
  });

  it("refuses (C13) a header value that would start a second request", () => {
    const error = refused("target", "custom", {
      headers: { "X-Ok": "1", "X-Evil": "v\r\n\r\nGET /x HTTP/1.1" },
    });
    expect(badFields(error)).toEqual(["secret.headers.X-Evil"]);
  });

  it("refuses (C13) a header name holding CR, LF, a space or a colon", () => {
    for (const name of ["X-A\r\nX-Admin", "X A", "X-A:", ""]) {
      expect(badFields(refused("target", "custom", { headers: { [name]: "1" } }))).toEqual([
        `secret.headers.${name}`,
      ]);
    }
  });

  it("refuses headers that frame the request or belong to the connection", () => {
    for (const name of [
      "Host",
      "content-length",
      "Transfer-Encoding",
      "Connection",
      "Proxy-Authorization",
    ]) {
      expect(badFields(refused("target", "custom", { headers: { [name]: "1" } }))).toEqual([
        `secret.headers.${name}`,
      ]);
    }
  });

  it("refuses the same header twice in different case", () => {
    expect(badFields(refused("target", "custom", { headers: { "X-A": "1", "x-a": "2" } }))).toEqual(
      ["secret.headers.x-a"],
    );
  });

  it("refuses a header or query name __proto__, which JSON.parse keeps as an own key", () => {
    for (const [input, field] of [
      ['{"headers":{"__proto__":"x"}}', "secret.headers.__proto__"],
      ['{"headers":{"X-A":"1","__proto__":"x"}}', "secret.headers.__proto__"],
      ['{"headers":{"X-A":"1"},"query":{"__proto__":"x"}}', "secret.query.__proto__"],
    ] as const) {
      expect(badFields(refused("target", "custom", JSON.parse(input)))).toEqual([field]);
    }
    // Names that are only properties of Object.prototype stay ordinary names.
    expect(
      parsed("target", "custom", { headers: { constructor: "1" }, query: { toString: "2" } })
        .fields,
    ).toEqual(["headers.constructor", "query.toString"]);
  });

  it("refuses CR or LF in a query name or value, and values that are not strings", () => {
    expect(badFields(refused("target", "custom", { query: { "a\r\n": "1" } }))).toEqual([
      "secret.query.a\r\n",
    ]);
    expect(badFields(refused("target", "custom", { query: { a: "1\n2" } }))).toEqual([
      "secret.query.a",
    ]);
    expect(badFields(refused("target", "custom", { headers: { "X-A": 1 } }))).toEqual([
      "secret.headers.X-A",
    ]);
    expect(badFields(refused("target", "custom", { headers: "X-A: 1" }))).toEqual([
      "secret.headers",
    ]);
  });
});

describe("parseSecret, none", () => {
  it("takes no secret at all", () => {
    for (const input of [undefined, null, {}]) {
      expect(parsed("target", "none", input)).toEqual({
        credentialType: "target",
        authType: "none",
        public: {},
        secret: {},
        fields: [],
        generateKeyValue: false,
      });
    }
  });

  it("refuses any field", () => {
    expect(refused("target", "none", { token: "x" }).code).toBe("secret_fields_unknown");
  });
});
