// An in-page question (a modal <dialog>, never window.confirm): the answer is the value of the button chosen,
// or the last choice's value when Esc closes it. The first choice has the focus, so Enter takes it.
let dialog;

export function ask(message, choices) {
  if (!dialog) {
    dialog = document.createElement('dialog');
    dialog.className = 'grid-dialog';
    dialog.setAttribute('aria-labelledby', 'grid-dialog-text');
    document.body.append(dialog);
  }
  const text = document.createElement('p');
  text.id = 'grid-dialog-text';
  text.textContent = message;
  const buttons = document.createElement('div');
  buttons.className = 'actions';
  dialog.replaceChildren(text, buttons);
  return new Promise((resolve) => {
    const done = (value) => {
      dialog.close();
      resolve(value);
    };
    for (const [i, choice] of choices.entries()) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `button${i === 0 ? ' primary' : ''}`;
      b.textContent = choice.label;
      b.addEventListener('click', () => done(choice.value));
      buttons.append(b);
    }
    dialog.addEventListener('cancel', (e) => (e.preventDefault(), done(choices.at(-1).value)), { once: true });
    dialog.showModal();
    buttons.firstElementChild.focus();
  });
}
