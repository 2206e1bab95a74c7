import assert from "node:assert/strict";
import { test } from "node:test";

import { colleagueState, parseColleagues } from "../src/colleagues.js";

test("the colleagues answer keeps the well-formed entries with a dialable workplace", () => {
  const olga = { agent: "102", name: "Olga", workplace: "202", mode: "inbound", state: "pause", reason: "lunch" };
  const list = parseColleagues({ colleagues: [
    olga,
    { agent: "103", workplace: "203", mode: "outbound", state: "pause", reason: "outbound" },
    { agent: "104", name: "Bad", workplace: "20;3", mode: "inbound", state: "ready", reason: null },
    { agent: 105, name: "Bad", workplace: "205", mode: "inbound", state: "ready", reason: null },
    null,
  ] });
  assert.deepEqual(list, [olga, { agent: "103", name: "", workplace: "203", mode: "outbound", state: "pause", reason: "outbound" }]);
  assert.deepEqual(parseColleagues({}), []);
  assert.deepEqual(parseColleagues(null), []);
});

test("a colleague's state is shown like the state pill", () => {
  const [lunch, outbound] = parseColleagues({ colleagues: [
    { agent: "102", name: "", workplace: "202", mode: "inbound", state: "pause", reason: "lunch" },
    { agent: "103", name: "", workplace: "203", mode: "outbound", state: "pause", reason: "outbound" },
  ] });
  assert.equal(colleagueState(lunch), "pause");
  assert.equal(colleagueState(outbound), "outbound_pause");
});
