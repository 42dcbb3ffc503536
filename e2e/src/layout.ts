import type { Locator, Page } from '@playwright/test';

/** The widths every page must work at: a laptop and a phone. */
export const VIEWPORTS = {
  desktop: { width: 1440, height: 900 },
  mobile: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

/**
 * Elements that stick out of the viewport horizontally, as the user would
 * have to scroll sideways to see them. Content clipped by a scroll container
 * that itself fits (a table or the pipeline scrolling inside its card) is
 * not counted: that is a deliberate, visible scroller, not a broken page.
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const problems: string[] = [];
    if (document.documentElement.scrollWidth > width + 1)
      problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px > ${width}px`);
    const clippedByFittingScroller = (element: Element): boolean => {
      for (let parent = element.parentElement; parent; parent = parent.parentElement) {
        const overflowX = getComputedStyle(parent).overflowX;
        if (overflowX !== 'visible') {
          const box = parent.getBoundingClientRect();
          return box.left >= -1 && box.right <= width + 1;
        }
      }
      return false;
    };
    const describe = (element: Element) => {
      const id = element.getAttribute('data-testid') ?? element.id;
      const classes = typeof element.className === 'string' ? element.className.split(' ')[0] : '';
      return `${element.tagName.toLowerCase()}${id ? `[${id}]` : ''}${classes ? `.${classes}` : ''}`;
    };
    for (const element of document.body.querySelectorAll('*')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if ((box.right > width + 1 || box.left < -1) && !clippedByFittingScroller(element)) {
        const style = getComputedStyle(element);
        if (style.visibility === 'hidden' || style.position === 'fixed') continue;
        problems.push(`${describe(element)} spans ${Math.round(box.left)}–${Math.round(box.right)}px`);
      }
      if (problems.length >= 10) break;
    }
    return problems;
  });
}

/** How one output value is laid out: its lines, where it breaks, and where its copy button sits. */
export interface ValueLayout {
  readonly text: string;
  /** The characters each rendered line starts with (one entry per line). */
  readonly lines: string[];
  /** The character before each line break (a separator when it wraps at a word boundary). */
  readonly breaksAfter: string[];
  /** The copy button is to the right of the value and vertically overlaps its first line. */
  readonly buttonBeside: boolean;
}

/**
 * Reads, from the rendered text, how a value wraps and where its copy button is. Both are measured in one
 * evaluation, the same frame: measured apart, a reflow in between (a card above that finishes loading)
 * moved the value but not the button's earlier box, and a button right beside its value read as misplaced.
 */
export async function valueLayout(value: Locator, button: Locator): Promise<ValueLayout> {
  const buttonElement = await button.elementHandle();
  return value.evaluate((element, buttonNode) => {
    const buttonRect = buttonNode?.getBoundingClientRect() ?? null;
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const chars: { char: string; top: number; left: number; right: number }[] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      for (let i = 0; i < text.length; i += 1) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getBoundingClientRect();
        chars.push({ char: text.charAt(i), top: Math.round(rect.top), left: rect.left, right: rect.right });
      }
    }
    const lines: string[] = [];
    const breaksAfter: string[] = [];
    chars.forEach((c, i) => {
      const previous = chars[i - 1];
      if (previous === undefined || c.top > previous.top + 2) {
        if (previous !== undefined) breaksAfter.push(previous.char);
        lines.push('');
      }
      lines[lines.length - 1] += c.char;
    });
    const first = chars[0];
    const buttonBeside =
      buttonRect !== null &&
      first !== undefined &&
      buttonRect.x >= element.getBoundingClientRect().right - 1 &&
      buttonRect.y < first.top + 24 &&
      buttonRect.y + buttonRect.height > first.top;
    return { text: element.textContent ?? '', lines, breaksAfter, buttonBeside };
  }, buttonElement);
}

/** Puts the page at one of the {@link VIEWPORTS}. */
export async function useViewport(page: Page, name: ViewportName): Promise<void> {
  await page.setViewportSize(VIEWPORTS[name]);
}
