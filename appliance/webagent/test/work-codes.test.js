import assert from "node:assert/strict";
import { test } from "node:test";

import { workCodes } from "../src/controller.js";
import { codeName } from "../src/ui/widgets.js";

test("the offered codes are read from login.result or the work_codes notification", () => {
  const lunch = { code: "lunch", name: "Обед", names: { ru: "Обед", en: "Lunch" }, max_seconds: 1800 };
  assert.deepEqual(workCodes({ pause_reasons: [lunch], dispositions: [], disposition_required: true }), {
    pauseReasons: [lunch], dispositions: [], dispositionRequired: true,
  });
  assert.deepEqual(workCodes({}), { pauseReasons: [], dispositions: [], dispositionRequired: false });
});

test("a code's name follows the UI language, the agency's name without names, null when not offered", () => {
  const offered = [{ code: "lunch", name: "Обед", names: { ru: "Обед", en: "Lunch" } }, { code: "tech", name: "Tech" }];
  assert.equal(codeName(offered, "lunch", "en"), "Lunch");
  assert.equal(codeName(offered, "lunch", "ru"), "Обед");
  assert.equal(codeName(offered, "tech", "ru"), "Tech");
  assert.equal(codeName(offered, "smoke", "en"), null);
});
