import { describe, expect, it } from "vitest";
import { canManageInventory, canManageUsers, canOperateTunnels, canRevealPsk, deniedReason, isRole } from "./permissions";

describe("permissions", () => {
  it("lets a viewer change nothing", () => {
    for (const can of [canManageInventory, canOperateTunnels, canRevealPsk, canManageUsers]) {
      expect(can("viewer")).toBe(false);
    }
  });
  it("lets an operator run the fleet but not reveal keys or manage users", () => {
    expect(canManageInventory("operator")).toBe(true);
    expect(canOperateTunnels("operator")).toBe(true);
    expect(canRevealPsk("operator")).toBe(false);
    expect(canManageUsers("operator")).toBe(false);
  });
  it("lets an admin do everything", () => {
    for (const can of [canManageInventory, canOperateTunnels, canRevealPsk, canManageUsers]) {
      expect(can("admin")).toBe(true);
    }
  });
  it("recognises only the three roles", () => {
    expect(isRole("admin")).toBe(true);
    expect(isRole("root")).toBe(false);
  });
});

describe("deniedReason", () => {
  it("names the role, the act and who may do it; nothing for a role that may", () => {
    expect(deniedReason("viewer", canRevealPsk, "reveal a key")).toBe("Your role (viewer) cannot reveal a key: admins only.");
    expect(deniedReason("viewer", canOperateTunnels, "deploy")).toBe("Your role (viewer) cannot deploy: admins and operators only.");
    expect(deniedReason("operator", canOperateTunnels, "deploy")).toBeNull();
  });
});
