// Refusals of the agency, in the operator's language: the login errors each get their own
// message; any other refusal shows the agency's text (already in the terminal's language).

/** @type {Record<string, string>} */
const LOGIN_KEYS = {
  license_limit: "err.license_limit",
  maintenance: "err.maintenance",
  rate_limited: "err.rate_limited",
  max_clients: "err.max_clients",
  disconnected: "err.disconnected",
  timeout: "err.timeout",
};

/**
 * The message key and params for a failed login.
 * @param {{code: string, message: string, details?: any}} error @param {string} mac
 * @returns {{key: string, params: Record<string, string>}}
 */
export function loginError(error, mac) {
  if (error.code === "login_failed") {
    const reason = error.details && typeof error.details === "object" ? error.details.reason : "";
    if (reason === "unknown_workplace") return { key: "err.unknown_workplace", params: { mac } };
    if (reason === "resume_expired") return { key: "err.resume_expired", params: {} };
    return { key: "err.login_failed", params: {} };
  }
  if (error.code === "not_allowed") return { key: "err.generic", params: { message: error.message } };
  const key = LOGIN_KEYS[error.code];
  return key ? { key, params: {} } : { key: "err.generic", params: { message: error.message } };
}

/**
 * The message of a refused action: the agency's own text, or ours when the link failed.
 * @param {{code: string, message: string}} error @returns {{key: string, params: Record<string, string>}}
 */
export function actionError(error) {
  if (error.code === "disconnected" || error.code === "timeout") {
    return { key: `err.${error.code}`, params: {} };
  }
  return { key: "err.generic", params: { message: error.message } };
}
