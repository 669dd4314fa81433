// Live feedback on the password policy (15 to 128 characters, no composition rules),
// shared by the welcome page and the reset page. Whether a password is too easy to guess
// only the server knows: its reason is shown when it refuses one. 15 is the server's
// default minimum (PASSWORD_MIN_LENGTH); a deployment that sets another one refuses with
// its own number, which the page then shows.

export const MIN = 15;
export const MAX = 128;

/** Characters as the server counts them: Unicode code points, nothing trimmed. */
export function length(password) {
  return [...password].length;
}

export function verdict(password) {
  const n = length(password);
  if (n < MIN) return { state: 'short', text: `At least ${MIN} characters: ${n} so far.` };
  if (n > MAX) return { state: 'long', text: `At most ${MAX} characters: ${n} is too many.` };
  return { state: 'ok', text: `Length is fine (${n} characters).` };
}

/**
 * Keeps `rules` (an aria-live region described by the input) in step with `input`. The
 * text changes on every keystroke, but it is only announced when the state changes, so a
 * screen reader is not interrupted on each character.
 */
export function watchPassword(input, rules, toggle) {
  const count = rules.querySelector('.count');
  const state = rules.querySelector('.state');
  const update = () => {
    const { state: now, text } = verdict(input.value);
    count.textContent = text;
    if (rules.dataset.state !== now) {
      rules.dataset.state = input.value ? now : '';
      state.textContent = input.value ? stateText(now) : '';
    }
  };
  input.addEventListener('input', update);
  toggle?.addEventListener('change', () => {
    input.type = toggle.checked ? 'text' : 'password';
  });
  update();
}

function stateText(state) {
  if (state === 'ok') return 'The length meets the policy.';
  if (state === 'long') return 'The password is too long.';
  return 'The password is too short.';
}

/** A sentence for a password the policy refuses before any request, or null. */
export function lengthProblem(password) {
  const n = length(password);
  if (n < MIN) return `The password needs at least ${MIN} characters (it has ${n}).`;
  if (n > MAX) return `The password may have at most ${MAX} characters (it has ${n}).`;
  return null;
}
