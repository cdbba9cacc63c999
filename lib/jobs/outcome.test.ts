import { describe, expect, it } from "vitest";
import { jobOutcome } from "./outcome";

describe("jobOutcome", () => {
  it("says what a successful job did", () => {
    expect(jobOutcome({ kind: "deploy", status: "succeeded", params: '{"tunnelIds":["a","b"]}', error: null })).toEqual({
      text: "Deployed 2 tunnels",
      tone: "good",
    });
    expect(jobOutcome({ kind: "rotate", status: "succeeded", params: '{"tunnelIds":["a"]}', error: null }).text).toBe(
      "Rotated the keys of 1 tunnel",
    );
    expect(jobOutcome({ kind: "teardown", status: "succeeded", params: '{"tunnelId":"a"}', error: null }).text).toBe("Tore down 1 tunnel");
  });
  it("shows a failure's reason as bad", () => {
    expect(jobOutcome({ kind: "deploy", status: "failed", params: "{}", error: "lost the SSH connection to hq" })).toEqual({
      text: "lost the SSH connection to hq",
      tone: "bad",
    });
  });
  it("survives parameters it cannot read", () => {
    expect(jobOutcome({ kind: "deploy", status: "queued", params: "not json", error: null }).text).toBe("waiting to run");
  });
});
