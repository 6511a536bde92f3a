/** The headers every proxy answer carries (the RequestRocket wire contract, spec §4 step 6). */
export const PROXY_CODE_HEADER = "requestrocket-proxy-code";
export const PROXY_MESSAGE_HEADER = "requestrocket-proxy-message";
export const REQUEST_ID_HEADER = "x-request-id";

export const ACCESS_GRANTED = "proxy-access-granted";
export const ACCESS_DENIED = "proxy-access-denied";
export const GRANTED_MESSAGE = "Access granted";
