// The operator in Debian's Firefox ESR, driven by puppeteer-core over WebDriver BiDi (no
// browser download): logs in, waits for a call, answers it with F3, checks RTP both ways,
// hangs up with F4. Talks to the pytest test over stdin/stdout, one line per step:
//   -> "ready"                       logged in, Ready (the test now places the call)
//   -> "talking <in> <out>"          answered, RTP packets received and sent
//   -> "done <state>"                hung up; the state after the call
// Usage: node firefox_operator.cjs <webagent dir> <agent URL> <agent> <password>
"use strict";
const { createRequire } = require("node:module");

const [webagentDir, url, agent, password] = process.argv.slice(2);
const puppeteer = createRequire(`${webagentDir}/package.json`)("puppeteer-core");
const TIMEOUT = 30000;

async function stateIs(page, state) {
  await page.waitForFunction(
    (s) => document.querySelector("[data-testid=state]")?.getAttribute("data-state") === s,
    { timeout: TIMEOUT },
    state,
  );
}

async function main() {
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr",
    headless: true,
    protocol: "webDriverBiDi",
    extraPrefsFirefox: {
      "media.navigator.streams.fake": true,
      "media.navigator.permission.disabled": true,
      "media.peerconnection.ice.loopback": true,
      "media.peerconnection.ice.obfuscate_host_addresses": false,
      "media.autoplay.default": 0,
    },
  });
  try {
    const page = await browser.newPage();
    page.on("console", (m) => process.stderr.write(`[firefox] ${m.text()}\n`));
    await page.goto(url);
    await page.waitForSelector("input[name=agent]", { timeout: TIMEOUT });
    await page.type("input[name=agent]", agent);
    await page.type("input[name=password]", password);
    await page.keyboard.press("Enter");
    await stateIs(page, "ready");
    await page.waitForFunction(() => window.uzorDiagnostics.state().phone === "registered", { timeout: TIMEOUT });
    console.log("ready");
    await stateIs(page, "ringing");
    await page.keyboard.press("F3");
    await stateIs(page, "talking");
    await page.waitForFunction(
      async () => {
        const s = await window.uzorDiagnostics.rtpStats();
        return s.inbound > 20 && s.outbound > 20;
      },
      { timeout: TIMEOUT, polling: 300 },
    );
    const stats = await page.evaluate(() => window.uzorDiagnostics.rtpStats());
    console.log(`talking ${stats.inbound} ${stats.outbound}`);
    await page.keyboard.press("F4");
    await stateIs(page, "wrapup");
    console.log("done wrapup");
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
