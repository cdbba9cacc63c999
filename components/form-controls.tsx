"use client";
// Labelled inputs that show their server-side error right under the field, and a
// submit button that shows the pending state while the action runs.

type FieldProps = {
  name: string;
  label: string;
  error?: string;
  hint?: string;
  defaultValue?: string | number;
  type?: string;
  placeholder?: string;
  required?: boolean;
  autoComplete?: string;
  className?: string;
};

const inputClass =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-blue-600 focus:outline-none focus:ring-1 focus:ring-blue-600 aria-[invalid=true]:border-red-600";

export function FieldError({ id, error }: { id: string; error?: string }) {
  if (!error) return null;
  return (
    <p id={id} role="alert" className="mt-1 text-sm text-red-700" data-field-error>
      {error}
    </p>
  );
}

/** Label above, hint or error below; `control` gets the id and the aria attributes. */
function Field({
  name,
  label,
  hint,
  error,
  className,
  control,
}: {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  className?: string;
  control: (a: ControlAttrs) => React.ReactNode;
}) {
  const id = `f-${name}`;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {control({ id, name, "aria-invalid": error ? true : undefined, "aria-describedby": error ? `${id}-error` : undefined })}
      {hint && !error ? <p className="mt-1 text-xs text-slate-500">{hint}</p> : null}
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}

type ControlAttrs = { id: string; name: string; "aria-invalid": true | undefined; "aria-describedby": string | undefined };

export function TextField({
  name,
  label,
  error,
  hint,
  defaultValue,
  type = "text",
  placeholder,
  required,
  autoComplete,
  className,
}: FieldProps) {
  return (
    <Field
      {...{ name, label, error, hint, className }}
      control={(a) => (
        <input
          {...a}
          type={type}
          defaultValue={defaultValue}
          placeholder={placeholder}
          required={required}
          autoComplete={autoComplete ?? "off"}
          className={inputClass}
        />
      )}
    />
  );
}

export function TextArea({ name, label, error, hint, defaultValue, placeholder, rows = 3, className }: FieldProps & { rows?: number }) {
  return (
    <Field
      {...{ name, label, error, hint, className }}
      control={(a) => (
        <textarea
          {...a}
          rows={rows}
          defaultValue={defaultValue}
          placeholder={placeholder}
          spellCheck={false}
          className={`${inputClass} font-mono`}
        />
      )}
    />
  );
}

export function SelectField({
  name,
  label,
  error,
  hint,
  defaultValue,
  options,
  className,
  onChange,
}: FieldProps & { options: { value: string; label: string }[]; onChange?: (value: string) => void }) {
  return (
    <Field
      {...{ name, label, error, hint, className }}
      control={(a) => (
        <select
          {...a}
          defaultValue={defaultValue as string | undefined}
          onChange={onChange ? (e) => onChange(e.target.value) : undefined}
          className={inputClass}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    />
  );
}

export function SubmitButton({
  children,
  pending,
  pendingText,
  className,
}: {
  children: React.ReactNode;
  pending: boolean;
  pendingText?: string;
  className?: string;
}) {
  return (
    <button
      type="submit"
      disabled={pending}
      aria-busy={pending}
      className={
        className ??
        "inline-flex items-center rounded-md bg-blue-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-blue-800 disabled:cursor-wait disabled:opacity-60"
      }
    >
      {pending ? (pendingText ?? "Working…") : children}
    </button>
  );
}

export function FormMessage({ ok, message }: { ok: boolean; message?: string }) {
  if (!message) return null;
  return (
    <div
      role={ok ? "status" : "alert"}
      className={`rounded-md px-3 py-2 text-sm ${ok ? "bg-green-50 text-green-800" : "bg-red-50 text-red-800"}`}
    >
      {message}
    </div>
  );
}
