"use client";
// A form that submits to a server action without React's automatic reset, so a
// refused submission keeps what the user typed (next to the field errors). It is
// cleared only after a success, when `resetOnSuccess` is set.
import { startTransition, useEffect, useRef } from "react";
import type { FormState } from "@/lib/inventory/form-state";

type Props = {
  action: (fd: FormData) => void;
  state: FormState;
  resetOnSuccess?: boolean;
  className?: string;
  children: React.ReactNode;
};

export function ActionForm({ action, state, resetOnSuccess, className, children }: Props) {
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state.ok && resetOnSuccess) ref.current?.reset();
  }, [state, resetOnSuccess]);
  return (
    <form
      ref={ref}
      noValidate
      className={className}
      onSubmit={(e) => {
        e.preventDefault();
        const fd = new FormData(e.currentTarget);
        startTransition(() => action(fd));
      }}
    >
      {children}
    </form>
  );
}
