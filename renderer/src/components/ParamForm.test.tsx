import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultValues, fieldsFromSchema } from '../lib/param-form';
import { ParamForm } from './ParamForm';

const fields = fieldsFromSchema({
  type: 'object',
  properties: {
    fast: { type: 'integer', minimum: 2, default: 10 },
    mode: { type: 'string', enum: ['close', 'open'], default: 'close' },
  },
});

function Harness() {
  const [values, setValues] = useState(defaultValues(fields));
  return <ParamForm fields={fields} values={values} onChange={(n, t) => setValues((v) => ({ ...v, [n]: t }))} />;
}

afterEach(cleanup);

describe('ParamForm', () => {
  it('renders the defaults and explains an invalid value inline, clearing it once fixed', () => {
    render(<Harness />);
    const fast = screen.getByLabelText('Fast') as HTMLInputElement;
    expect(fast.value).toBe('10');
    expect((screen.getByLabelText('Mode') as HTMLSelectElement).value).toBe('close');
    fireEvent.change(fast, { target: { value: '1' } });
    expect(screen.getByText('Fast must be at least 2')).toBeTruthy();
    expect(fast.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(fast, { target: { value: '3' } });
    expect(screen.queryByText('Fast must be at least 2')).toBeNull();
  });
});
