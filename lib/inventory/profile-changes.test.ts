import { describe, expect, it } from "vitest";
import { cloneName, profileChangeRefusal } from "./profile-changes";

describe("profileChangeRefusal", () => {
  it("allows editing and deleting an unused custom profile", () => {
    const p = { name: "Mine", builtIn: false, tunnels: 0 };
    expect(profileChangeRefusal(p, "edit")).toBeNull();
    expect(profileChangeRefusal(p, "delete")).toBeNull();
  });

  it("refuses both for a built-in profile, pointing to clone for edits", () => {
    const p = { name: "Modern", builtIn: true, tunnels: 0 };
    expect(profileChangeRefusal(p, "edit")).toBe("Modern is built in and cannot be edited; clone it and edit the copy.");
    expect(profileChangeRefusal(p, "delete")).toBe("Modern is built in and cannot be deleted.");
  });

  it("refuses both for a profile in use, counting the tunnels", () => {
    expect(profileChangeRefusal({ name: "Mine", builtIn: false, tunnels: 1 }, "delete")).toBe(
      "Mine is used by 1 tunnel; move them to another profile first.",
    );
    expect(profileChangeRefusal({ name: "Mine", builtIn: false, tunnels: 3 }, "edit")).toMatch(/^Mine is used by 3 tunnels; clone it/);
  });
});

describe("cloneName", () => {
  it("adds (copy), then numbers further copies", () => {
    expect(cloneName("Modern", ["Modern"])).toBe("Modern (copy)");
    expect(cloneName("Modern", ["Modern", "modern (COPY)"])).toBe("Modern (copy 2)");
    expect(cloneName("Modern", ["Modern", "Modern (copy)", "Modern (copy 2)"])).toBe("Modern (copy 3)");
  });

  it("stays within 64 characters", () => {
    const long = "x".repeat(64);
    const name = cloneName(long, [long]);
    expect(name).toHaveLength(64);
    expect(name.endsWith(" (copy)")).toBe(true);
  });
});
