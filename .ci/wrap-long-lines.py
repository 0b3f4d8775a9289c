#!/usr/bin/env python3
"""Wraps Java source lines longer than the project's column limit, between tokens only.

Used once to bring the tree under the Checkstyle LineLength rule (and by hand on a file that breaks it later):
  .ci/wrap-long-lines.py FILE...

Code lines break at the rightmost safe point that fits: after ", " or before " + ", " && ", " || ", " ? ", " : ",
or before "." after ")" — never inside a string or char literal, never inside a trailing // comment — and continue
8 columns deeper (or at the same depth when the line already is a continuation). Comment lines (//, /** … */) are
re-flowed word by word with their own prefix. Text blocks and <pre> sections are left alone. Lines that cannot be
broken safely are reported and left as they are.
"""
import re
import sys

LIMIT = 120


def code_breaks(line):
    """Candidate break offsets (the second part starts at the offset) outside literals and trailing comments."""
    out = []
    i = 0
    n = len(line)
    in_str = None
    depth = 0
    while i < n:
        c = line[i]
        if in_str:
            if c == '\\':
                i += 2
                continue
            if c == in_str:
                in_str = None
            i += 1
            continue
        if c in '"\'':
            in_str = c
            i += 1
            continue
        if line.startswith('//', i) or line.startswith('/*', i):
            break
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        if c == ',' and i + 1 < n and line[i + 1] == ' ':
            out.append((i + 2, depth))
        for op in (' + ', ' && ', ' || ', ' ? ', ' : ', ' - '):
            if line.startswith(op, i):
                out.append((i + 1, depth))
        if c == '.' and i > 0 and line[i - 1] == ')':
            out.append((i, depth))
        i += 1
    return out


def split_string_literal(line):
    """The line with the string literal that crosses the limit cut in two at a space ("a b" → "a " + "b"), or None."""
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if line.startswith('//', i):
            return None
        if c == "'":
            i += 3 if line[i + 1] != '\\' else 4
            continue
        if c == '"':
            start = i
            j = i + 1
            while j < n and line[j] != '"':
                j += 2 if line[j] == '\\' else 1
            if j >= n:
                return None
            if j >= LIMIT - 1 and start < LIMIT - 20:
                k = min(LIMIT - 4, j - 1)
                while k > start + 10 and not (line[k] == ' ' and line[k - 1] != '\\'):
                    k -= 1
                if k <= start + 10:
                    return None
                return line[:k + 1] + '" + "' + line[k + 1:]
            i = j + 1
            continue
        i += 1
    return None


def indent_of(line):
    return len(line) - len(line.lstrip(' '))


def wrap_code(line, is_continuation):
    """The line cut into pieces of at most LIMIT columns, or None when no safe break fits."""
    pieces = []
    rest = line
    base = indent_of(line)
    while len(rest) > LIMIT:
        cands = [c for c in code_breaks(rest) if c[0] <= LIMIT and c[0] > indent_of(rest) + 10]
        if not cands:
            split = split_string_literal(rest)
            if split is None:
                return None
            rest = split
            continue
        # prefer the shallowest nesting among those that fit, then the rightmost
        min_depth = min(d for _, d in cands)
        pos = max(p for p, d in cands if d == min_depth)
        head = rest[:pos].rstrip()
        tail = rest[pos:].lstrip()
        pieces.append(head)
        indent = base if (is_continuation and min_depth <= 0 and not pieces[1:]) else base + 8
        rest = ' ' * indent + tail
    pieces.append(rest)
    return pieces


def is_continuation(prev_lines):
    """Whether the line after {@code prev_lines} continues a statement begun above it."""
    for prev in reversed(prev_lines):
        s = prev.strip()
        if not s:
            return False
        if s.endswith((';', '{', '}')) or s.startswith(('@', '//', '*', '/*')):
            return False
        return True
    return False


TEXT_LINE = re.compile(r'^(\s*)(\* |// )(?![@<|\-])(\S.*)$')


def reflow_comment_run(lines, start):
    """Re-flows the comment line at {@code start} with the plain text lines that follow it in the same comment."""
    m = TEXT_LINE.match(lines[start]) or re.match(r'^(\s*)(/\*\* )(.*)$', lines[start])
    if not m:
        return None
    lead, mark, _ = m.groups()
    cont_mark = '* ' if mark in ('* ', '/** ') else mark
    end = start + 1
    while end < len(lines):
        n = TEXT_LINE.match(lines[end])
        if not n or n.group(1) != (lead if mark != '/** ' else lead + ' ') or n.group(2) != cont_mark \
                or '*/' in lines[end] or '<pre>' in lines[end]:
            break
        end += 1
    words = []
    for i in range(start, end):
        text = (TEXT_LINE.match(lines[i]) or re.match(r'^(\s*)(/\*\* )(.*)$', lines[i])).group(3)
        words.extend(text.split())
    first = lead + mark
    cont = (lead + ' ' + cont_mark) if mark == '/** ' else (lead + cont_mark)
    out = []
    cur = first
    prefix = len(first)
    for w in words:
        cand = (cur + ' ' + w) if len(cur) > prefix else cur + w
        if len(cand) > LIMIT and len(cur) > prefix:
            out.append(cur)
            cur = cont + w
            prefix = len(cont)
        else:
            cur = cand
    out.append(cur)
    if any(len(l) > LIMIT for l in out):
        return None
    return out, end


def process(path):
    src = open(path, encoding='utf-8').read().split('\n')
    out = []
    in_text_block = False
    in_pre = False
    unchanged = []
    i = 0
    while i < len(src):
        line = src[i]
        if line.count('"""') % 2 == 1:
            in_text_block = not in_text_block
        if '<pre>' in line:
            in_pre = True
        if '</pre>' in line:
            in_pre = False
        if in_text_block or in_pre or '"""' in line or len(line) <= LIMIT \
                or line.lstrip().startswith(('import ', 'package ')):
            out.append(line)
            i += 1
            continue
        stripped = line.lstrip()
        one_line_doc = re.match(r'^(\s*)/\*\* (.*) \*/$', line)
        if one_line_doc:
            lead, text = one_line_doc.groups()
            block = [lead + '/**', lead + ' * ' + text, lead + ' */']
            flowed = reflow_comment_run(block, 1)
            if flowed is not None:
                out.extend([block[0]] + flowed[0] + [block[2]])
                i += 1
                continue
        if stripped.startswith(('// ', '* ', '/** ')) and not stripped.endswith('*/'):
            flowed = reflow_comment_run(src, i)
            if flowed is not None:
                out.extend(flowed[0])
                i = flowed[1]
                continue
            unchanged.append(i + 1)
            out.append(line)
            i += 1
            continue
        wrapped = None if stripped.startswith(('*', '/*', '//')) else wrap_code(line, is_continuation(out))
        if wrapped is None:
            unchanged.append(i + 1)
            out.append(line)
        else:
            out.extend(wrapped)
        i += 1
    text = '\n'.join(out)
    if text != '\n'.join(src):
        open(path, 'w', encoding='utf-8').write(text)
    for n in unchanged:
        print(f'{path}:{n}: left as it is (no safe break)', file=sys.stderr)
    return len(unchanged)


if __name__ == '__main__':
    left = sum(process(p) for p in sys.argv[1:])
    sys.exit(1 if left else 0)
