/** The trigger form's edits (the overlay that triggers a run with typed parameters). */
import type { Action } from "./action.ts";
import type { MonitorState } from "./state.ts";

/** The state after an edit of the open trigger form (unchanged when no form is open). */
export function reduceForm(
  state: MonitorState,
  action: Extract<
    Action,
    { type: "formInput" | "formErase" | "formMove" | "formSending" | "formErrors" }
  >,
): MonitorState {
  const overlay = state.overlay;
  if (overlay?.kind !== "trigger") return state;
  const form = overlay.form;
  const field = form.fields[form.index];
  let next = form;
  if (action.type === "formMove" && form.fields.length) {
    const index = (form.index + action.by + form.fields.length) % form.fields.length;
    next = { ...form, index };
  } else if ((action.type === "formInput" || action.type === "formErase") && field) {
    const text = action.type === "formInput" ? field.text + action.text : field.text.slice(0, -1);
    const fields = form.fields.map((f, i) => (i === form.index ? { ...f, text } : f));
    const { [field.name]: _, ...errors } = form.errors;
    next = { ...form, fields, errors, message: undefined };
  } else if (action.type === "formSending") {
    next = { ...form, sending: true, message: undefined };
  } else if (action.type === "formErrors") {
    next = { ...form, errors: action.errors, message: action.message, sending: false };
  }
  return next === form ? state : { ...state, overlay: { kind: "trigger", form: next } };
}
