// A <select>'s options kept equal to a list that comes with the state (sources, cameras, devices). Option
// elements are reused by value, so the chosen option stays chosen and an open picker is not reset.
import { placeChildren, setText } from './dom.ts';

export interface Choice {
  value: string;
  label: string;
}

export function syncOptions(select: HTMLSelectElement, choices: readonly Choice[]): void {
  const existing = new Map<string, HTMLOptionElement>();
  for (const option of select.options) if (!existing.has(option.value)) existing.set(option.value, option);
  const options = choices.map((choice) => {
    let option = existing.get(choice.value);
    existing.delete(choice.value);
    if (option === undefined) {
      option = document.createElement('option');
      option.value = choice.value;
    }
    setText(option, choice.label);
    return option;
  });
  placeChildren(select, options);
}
