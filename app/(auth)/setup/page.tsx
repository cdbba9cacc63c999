import { redirect } from "next/navigation";
import { needsSetup } from "@/lib/inventory/accounts";
import { SetupForm } from "./setup-form";

export const metadata = { title: "Create the admin" };

export default async function SetupPage() {
  if (!(await needsSetup())) redirect("/login");
  return (
    <main className="mx-auto mt-24 max-w-md rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
      <h1 className="text-xl font-semibold">Welcome to Gatewarden</h1>
      <p className="mt-2 text-sm text-slate-600">
        There is no admin yet. Create the administrator with the one-time setup code the server printed when it started; there is no default
        password.
      </p>
      <SetupForm />
    </main>
  );
}
