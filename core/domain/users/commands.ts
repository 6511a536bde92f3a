export type CreateUser = {
  type: "CreateUser";
  userId: string;
  userName: string;
  isAdmin: boolean;
  at: string;
};

/** The token itself is made and shown at the edge; only its keyed hash arrives here. */
export type IssueUserToken = {
  type: "IssueUserToken";
  userId: string;
  tokenId: string;
  tokenName: string;
  tokenHash: string;
  readOnly: boolean;
  expiresAt: string | null;
  at: string;
};

export type RevokeUserToken = {
  type: "RevokeUserToken";
  userId: string;
  tokenId: string;
  at: string;
};

export type UserCommand = CreateUser | IssueUserToken | RevokeUserToken;
