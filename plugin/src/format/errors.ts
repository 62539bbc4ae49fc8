// mv_ops.freshness writes a failure as concat_ws(': ', sqlstate, message): either part may be missing.
export interface SqlError {
  sqlstate: string | null;
  message: string;
}

// SQLSTATE codes are five digits or upper-case letters (PostgreSQL appendix A).
const WITH_CODE = /^([0-9A-Z]{5})(?:: ([\s\S]*))?$/;

export function splitLastError(text: string | null | undefined): SqlError | null {
  if (!text) {
    return null;
  }
  const m = WITH_CODE.exec(text);
  return m ? { sqlstate: m[1], message: m[2] ?? '' } : { sqlstate: null, message: text };
}
