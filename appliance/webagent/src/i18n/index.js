// The message catalog: t(key, params) in the current language (RU or EN).
import en from "./en.js";
import ru from "./ru.js";

/** @typedef {"ru" | "en"} Lang */
/** @type {Record<Lang, Record<string, string>>} */
export const CATALOGS = { en, ru };
export const LANGS = /** @type {Lang[]} */ (["ru", "en"]);

/**
 * The language: an explicit choice, else the first browser language we have, else English.
 * @param {string | null | undefined} chosen @param {readonly string[]} browser @returns {Lang}
 */
export function pickLang(chosen, browser) {
  if (chosen === "ru" || chosen === "en") return chosen;
  for (const tag of browser) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "ru" || base === "en") return base;
  }
  return "en";
}

/**
 * @param {Lang} lang @param {string} key @param {Record<string, string | number>} [params]
 * @returns {string}
 */
export function translate(lang, key, params = {}) {
  const text = CATALOGS[lang][key] ?? CATALOGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}
