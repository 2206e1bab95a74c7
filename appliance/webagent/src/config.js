// What the page's address tells: the workplace (?host=), the ACP URL and the language.

const MAC = /^[0-9A-Fa-f]{2}([-:.]?[0-9A-Fa-f]{2}){5}$/;

/**
 * @param {{protocol: string, host: string, search: string}} location
 * @returns {{host: string, hostValid: boolean, acpUrl: string, lang: string | null}}
 */
export function readConfig(location) {
  const params = new URLSearchParams(location.search);
  const host = (params.get("host") ?? "").trim();
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const override = params.get("acp");
  const acpUrl = override && /^wss?:\/\//.test(override) ? override : `${scheme}//${location.host}/agency/ws`;
  const lang = params.get("lang");
  return { host, hostValid: MAC.test(host), acpUrl, lang };
}

/** The MAC written as aa:bb:cc:dd:ee:ff. @param {string} host */
export function formatMac(host) {
  const hex = host.replace(/[^0-9A-Fa-f]/g, "").toLowerCase();
  return hex.match(/../g)?.join(":") ?? host;
}
