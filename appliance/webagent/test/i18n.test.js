import assert from "node:assert/strict";
import { test } from "node:test";

import { loginError } from "../src/errors.js";
import { readConfig, formatMac } from "../src/config.js";
import { CATALOGS, pickLang, translate } from "../src/i18n/index.js";

test("both catalogs have the same keys and no empty text", () => {
  assert.deepEqual(Object.keys(CATALOGS.ru).sort(), Object.keys(CATALOGS.en).sort());
  for (const lang of /** @type {const} */ (["ru", "en"])) {
    for (const [key, text] of Object.entries(CATALOGS[lang])) assert.ok(text.trim(), `${lang} ${key}`);
  }
});

test("the language comes from the choice, else the browser, else English", () => {
  assert.equal(pickLang("ru", ["en-US"]), "ru");
  assert.equal(pickLang(null, ["de-DE", "ru-RU", "en"]), "ru");
  assert.equal(pickLang(undefined, ["de"]), "en");
  assert.equal(translate("ru", "state.left", { time: "01:00" }), "осталось 01:00");
  assert.equal(translate("en", "no.such.key"), "no.such.key");
});

test("each login refusal has its own message", () => {
  const mac = "52:54:00:00:00:01";
  assert.equal(loginError({ code: "login_failed", message: "x" }, mac).key, "err.login_failed");
  assert.deepEqual(loginError({ code: "login_failed", message: "x", details: { reason: "unknown_workplace" } }, mac), { key: "err.unknown_workplace", params: { mac } });
  assert.equal(loginError({ code: "license_limit", message: "x" }, mac).key, "err.license_limit");
  assert.equal(loginError({ code: "maintenance", message: "x" }, mac).key, "err.maintenance");
  assert.equal(loginError({ code: "rate_limited", message: "x" }, mac).key, "err.rate_limited");
  assert.deepEqual(loginError({ code: "not_allowed", message: "busy" }, mac), { key: "err.generic", params: { message: "busy" } });
});

test("the address gives the workplace and the ACP URL (same host, or the override)", () => {
  const c = readConfig({ protocol: "https:", host: "cc.example:8443", search: "?host=52-54-00-AA-BB-CC" });
  assert.deepEqual(c, { host: "52-54-00-AA-BB-CC", hostValid: true, acpUrl: "wss://cc.example:8443/agency/ws", lang: null });
  assert.equal(formatMac(c.host), "52:54:00:aa:bb:cc");
  const t = readConfig({ protocol: "http:", host: "127.0.0.1:9", search: "?host=x&acp=ws://127.0.0.1:5/ws&lang=ru" });
  assert.equal(t.hostValid, false);
  assert.equal(t.acpUrl, "ws://127.0.0.1:5/ws");
  assert.equal(t.lang, "ru");
  assert.equal(readConfig({ protocol: "http:", host: "h", search: "?acp=javascript:x" }).acpUrl, "ws://h/agency/ws");
});
