import type { ReactNode } from 'react';

export interface CardProps {
  /** Heading of the card; also names the region for assistive technology. */
  readonly title: ReactNode;
  /** One line under the title. */
  readonly description?: ReactNode;
  /** Controls shown at the right of the header. */
  readonly actions?: ReactNode;
  /**
   * Heading level, so the page outline stays in order.
   * @default 2
   */
  readonly level?: 2 | 3;
  /** Drop the body padding (tables that run edge to edge). @default false */
  readonly flush?: boolean;
  /** Element id of the heading; the section is labelled by it. */
  readonly id: string;
  readonly testId?: string;
  readonly children: ReactNode;
}

/** A titled section of a page, exposed as a labelled region. */
export function Card({
  title,
  description,
  actions,
  level = 2,
  flush = false,
  id,
  testId,
  children,
}: CardProps) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section className="card" aria-labelledby={id} data-testid={testId}>
      <div className="card__header">
        <div>
          <Heading id={id}>{title}</Heading>
          {description ? <p className="card__description">{description}</p> : null}
        </div>
        {actions ? <div className="row">{actions}</div> : null}
      </div>
      <div className={flush ? 'card__body card__body--flush' : 'card__body'}>{children}</div>
    </section>
  );
}
