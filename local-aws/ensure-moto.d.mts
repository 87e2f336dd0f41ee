export declare const MOTO_REQUIREMENT: string;
export declare function ensureMoto(options?: { log?: (line: string) => void }): string;
