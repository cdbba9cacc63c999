"use client";
// Unexpected failures land here; expected ones are shown next to the form field.
export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-6">
      <h1 className="text-lg font-semibold text-red-900">Something went wrong</h1>
      <p className="mt-2 text-sm text-red-800">
        The error was logged{error.digest ? ` (reference ${error.digest})` : ""}. Nothing was half-written: changes are all-or-nothing.
      </p>
      <button onClick={reset} className="mt-4 rounded-md bg-red-700 px-3 py-1.5 text-sm text-white">
        Try again
      </button>
    </div>
  );
}
