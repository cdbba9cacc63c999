import type { Metadata } from "next";
import "./globals.css";

// Every page depends on the signed-in user and live inventory: nothing is prerendered.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Gatewarden", template: "%s · Gatewarden" },
  description: "IPsec gateway fleet dashboard",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
