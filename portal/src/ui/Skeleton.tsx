export interface SkeletonProps {
  /** What is loading, announced instead of the shimmer. */
  readonly label: string;
  /** At most 5. @default 3 */
  readonly lines?: number;
}

/** Names of the placeholder lines; each has its own width in the stylesheet. */
const SKELETON_LINES = ['a', 'b', 'c', 'd', 'e'] as const;

/** Placeholder lines while data loads; announced as a busy status. */
export function Skeleton({ label, lines = 3 }: SkeletonProps) {
  return (
    <div role="status" aria-busy="true" className="stack">
      <span className="visually-hidden">{label}</span>
      {SKELETON_LINES.slice(0, lines).map((line) => (
        <span key={line} className={`skeleton skeleton--${line}`} aria-hidden="true" />
      ))}
    </div>
  );
}
