// Offline mode: waiting for a task / processing a task (project code, activity, Start, Finish).
import { useState } from "preact/hooks";

import { rules } from "../session.js";
import { html } from "./html.js";
import { Btn } from "./widgets.js";

export const ACTIVITIES = ["calls_back", "email", "documents", "training", "other"];

/** @param {{state: import("../state.js").AppState, c: import("../controller.js").Controller, t: import("./html.js").T}} p */
export function OfflinePanel({ state, c, t }) {
  const [project, setProject] = useState("");
  const [activity, setActivity] = useState(ACTIVITIES[0]);
  const s = state.session;
  if (!s || s.mode !== "offline") return null;
  const r = rules(s, state.calls);
  return html`<section class="offline card" data-testid="offline">
    ${s.task
      ? html`<p class="task-now" data-testid="task-current">${t("task.current", { project: s.task.project, activity: t(`activity.${s.task.activity}`) })}</p>
          <${Btn} t=${t} cls="btn-primary" why=${r.taskFinish} label=${t("btn.finish")} testid="btn-task-finish" onClick=${() => c.act("task_finish").catch(() => {})} />`
      : html`<form class="task-form" onSubmit=${(/** @type {Event} */ e) => {
            e.preventDefault();
            if (project.trim()) c.act("task_start", { project: project.trim(), activity }).catch(() => {});
          }}>
          <label>${t("task.project")}<input data-testid="task-project" required value=${project} onInput=${(/** @type {any} */ e) => setProject(e.currentTarget.value)} /></label>
          <label>${t("task.activity")}
            <select data-testid="task-activity" value=${activity} onChange=${(/** @type {any} */ e) => setActivity(e.currentTarget.value)}>
              ${ACTIVITIES.map((a) => html`<option value=${a}>${t(`activity.${a}`)}</option>`)}
            </select>
          </label>
          <button class="btn btn-primary" type="submit" data-testid="btn-task-start" disabled=${!!r.taskStart} title=${r.taskStart ? t(r.taskStart) : ""}>${t("btn.start")}</button>
        </form>`}
  </section>`;
}
