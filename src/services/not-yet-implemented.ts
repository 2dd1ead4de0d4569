// Operations the models route that this server does not serve yet. They are named one by one, so the
// handler maps stay complete (an operation forgotten is still a compile error); each answers 501 naming itself.
import { notImplemented } from '../protocol/errors.ts';

type Unimplemented<Operation extends string> = { [Op in Operation]: () => Promise<never> };

export function notYetImplemented<Operation extends string>(...operations: Operation[]): Unimplemented<Operation> {
  const handlers = {} as Unimplemented<Operation>;
  for (const operation of operations) {
    handlers[operation] = async () => {
      throw notImplemented(operation);
    };
  }
  return handlers;
}
