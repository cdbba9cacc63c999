import type { Metadata } from "next";
import { headers } from "next/headers";
import { cspNonce } from "@/lib/http/security-headers";
import { themeBootScript } from "@/lib/ui/theme";
import "./globals.css";

// Every page depends on the signed-in user and live inventory: nothing is prerendered.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Gatewarden", template: "%s · Gatewarden" },
  description: "IPsec gateway fleet dashboard",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // The theme is set before the first paint by an inline script, which the CSP lets run
  // with this request's nonce; data-theme differs from the server's HTML on purpose.
  const nonce = cspNonce((await headers()).get("content-security-policy"));
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: themeBootScript }} />
      </head>
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
