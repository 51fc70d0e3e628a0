#!/usr/bin/env python3
# tests/tools/binary_suite_check.py -- conformance helper for the binary decoder (not run by CTest).
# Extracts every `(module binary ...)` from spec .wast files (works on 3.0 files wabt's wast2json cannot parse) and
# feeds them to decode_check (tests/tools/decode_check.cpp): `module`s must decode; assert_malformed ones must fail,
# ideally with a message starting with the expected text. Prints counts and every deviation.
# Usage: binary_suite_check.py PATH/TO/decode_check [--wasm20] FILE.wast...
import collections, os, subprocess, sys, tempfile

def tokenize(src):
    i=0; n=len(src); line=1
    while i<n:
        c=src[i]
        if c=='\n': line+=1; i+=1; continue
        if c.isspace(): i+=1; continue
        if src.startswith(';;',i):
            j=src.find('\n',i); i = n if j<0 else j; continue
        if src.startswith('(;',i):
            depth=0
            while i<n:
                if src.startswith('(;',i): depth+=1; i+=2
                elif src.startswith(';)',i):
                    depth-=1; i+=2
                    if depth==0: break
                else:
                    if src[i]=='\n': line+=1
                    i+=1
            continue
        if c in '()': yield (c,None,line); i+=1; continue
        if c=='"':
            j=i+1; buf=bytearray()
            while src[j]!='"':
                if src[j]=='\\':
                    d=src[j+1]
                    if d in '0123456789abcdefABCDEF' and src[j+2] in '0123456789abcdefABCDEF':
                        buf.append(int(src[j+1:j+3],16)); j+=3
                    elif d=='n': buf+=b'\n'; j+=2
                    elif d=='t': buf+=b'\t'; j+=2
                    elif d=='r': buf+=b'\r'; j+=2
                    elif d=='u':
                        k=src.index('}',j); buf+=chr(int(src[j+3:k],16)).encode('utf-8'); j=k+1
                    else: buf+=d.encode(); j+=2
                else:
                    if src[j]=='\n': line+=1
                    buf+=src[j].encode('utf-8'); j+=1
            yield ('s',bytes(buf),line); i=j+1; continue
        j=i
        while j<n and not src[j].isspace() and src[j] not in '()"': j+=1
        yield ('a',src[i:j],line); i=j
def parse(src):
    stack=[[]]
    for t,v,l in tokenize(src):
        if t=='(': stack.append([('line',l)])
        elif t==')': x=stack.pop(); stack[-1].append(x)
        elif t=='s': stack[-1].append(('str',v))
        else: stack[-1].append(v)
    return stack[0]
def binmod(e):
    if not isinstance(e,list) or len(e)<2 or e[1]!='module': return None
    rest=e[2:]
    while rest and isinstance(rest[0],str) and (rest[0].startswith('$') or rest[0]=='definition'): rest=rest[1:]
    if not rest or rest[0]!='binary': return None
    return b''.join(x[1] for x in rest[1:] if isinstance(x,tuple) and x[0]=='str')

def main():
    checker = sys.argv[1]
    flags = [a for a in sys.argv[2:] if a.startswith('--')]
    files = [a for a in sys.argv[2:] if not a.startswith('--')]
    tmp = tempfile.mkdtemp(prefix='binsuite')
    cases = []
    for f in files:
        base = os.path.basename(f)[:-5]
        for e in parse(open(f, encoding='utf-8').read()):
            if not isinstance(e, list) or len(e) < 2:
                continue
            line = e[0][1]
            kind, mod, exp = None, None, None
            if e[1] == 'module':
                kind, mod = 'module', binmod(e)
            elif e[1] in ('assert_malformed', 'assert_invalid', 'assert_unlinkable', 'assert_trap'):
                kind = e[1]
                mod = binmod(e[2]) if len(e) > 2 else None
                exp = e[3][1].decode() if len(e) > 3 and isinstance(e[3], tuple) else None
            if mod is None:
                continue
            p = os.path.join(tmp, '%s.%d.wasm' % (base, line))
            open(p, 'wb').write(mod)
            cases.append((base, line, kind, exp, p))
    out = subprocess.run([checker] + flags, input='\n'.join(c[4] for c in cases) + '\n',
                         capture_output=True, text=True).stdout.splitlines()
    res = {l.split(' ', 3)[1]: l.split(' ', 3) for l in out}
    stats = collections.Counter()
    for base, line, kind, exp, p in cases:
        r = res.get(p, ['MISSING', p])
        if kind == 'module':
            stats['module decoded' if r[0] == 'OK' else 'module REJECTED'] += 1
            if r[0] != 'OK':
                print('%s:%d module rejected: %s' % (base, line, ' '.join(r[2:])))
        elif kind == 'assert_malformed':
            if r[0] == 'OK':
                stats['malformed accepted (left to the CodeReader/validator)'] += 1
                print('%s:%d accepted, expected %r' % (base, line, exp))
            elif r[3].startswith(exp):
                stats['malformed rejected, message matches'] += 1
            else:
                stats['malformed rejected, other message'] += 1
                print('%s:%d expected %r, got %r' % (base, line, exp, r[3]))
        else:
            stats[kind + (' decoded' if r[0] == 'OK' else ' rejected')] += 1
    for k, v in sorted(stats.items()):
        print('%6d  %s' % (v, k))


if __name__ == '__main__':
    main()
