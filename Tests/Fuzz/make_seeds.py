#!/usr/bin/env python3
"""Writes the structure-aware fuzz seeds of Tests/Fuzz/seeds/TARGET/ that are not test fixtures:
valid inputs with one field changed (the cases of issue 15: 19-digit and 2^60-scale integers,
overflowing shapes and offsets, zero strides, huge counts, NaN/Inf/negative motif counts, cut
bigWigs). Usage: make_seeds.py SEEDS_DIR GOOD_SAFETENSORS SMALL_BIGWIG DATASET_JSON"""
import copy, json, os, struct, sys

seeds, model, bigwig, dataset_json = sys.argv[1:5]

def put(target, name, data):
    os.makedirs(os.path.join(seeds, target), exist_ok=True)
    with open(os.path.join(seeds, target, name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())

big = ['9223372036854775807', '9223372036854775808', '99999999999999999999', '1152921504606846976', '1152921504606846977', '-9223372036854775808']
for i, v in enumerate(big):
    put('intervals', f'huge-end-{i}.bed', f'c1\t1\t{v}\n')
    put('intervals', f'huge-start-{i}.narrowPeak', f'c1\t{v}\t{v}\tp\t0\t.\t1\t1\t1\t5\n')
    put('intervals', f'huge-summit-{i}.narrowPeak', f'c1\t1\t100\tp\t0\t.\t1\t1\t1\t{v}\n')
    put('region', f'huge-{i}', f'chr1:1-{v}')
    put('bedgraph', f'huge-{i}.bedGraph', f'chr1\t0\t{v}\t1\n')
    put('chromsizes', f'huge-{i}.sizes', f'chr1\t{v}\n')
put('intervals', 'near-max.narrowPeak', 'c1\t1152921504606846000\t1152921504606846976\tp\t0\t.\t1\t1\t1\t5\n')
put('chromsizes', 'good.sizes', 'chr1\t1000\nchr2\t20\n# comment\n\nchrM\t16569\r\n')
put('chromsizes', 'bad.sizes', 'chr1\t-5\nchr2\n')

with open(model, 'rb') as f:
    good = f.read()
n = struct.unpack('<Q', good[:8])[0]
header = json.loads(good[8:8 + n])
data = good[8 + n:]
tensor = sorted(k for k in header if k != '__metadata__')[0]

def st(h, body=data):
    b = json.dumps(h, sort_keys=True).encode()
    b += b' ' * ((8 - len(b) % 8) % 8)
    return struct.pack('<Q', len(b)) + b + body

put('safetensors', 'header-length-2e60.safetensors', struct.pack('<Q', 1 << 60) + good[8:])
for name, field, value in [('offsets-2e63', 'data_offsets', [9223372036854775000, 9223372036854775800]),
                           ('offsets-past-end', 'data_offsets', [0, 1 << 30]),
                           ('offsets-reversed', 'data_offsets', [8, 0]),
                           ('shape-overflow', 'shape', [4294967296, 4294967296, 4]),
                           ('shape-negative', 'shape', [-1, 2])]:
    h = copy.deepcopy(header)
    h[tensor][field] = value
    put('safetensors', name + '.safetensors', st(h))
put('safetensors', 'tensor-past-end.safetensors', st(header, data[:-8]))

arch = json.loads(header['__metadata__']['architecture'])
def variant(name, change):
    a = copy.deepcopy(arch)
    change(a)
    text = json.dumps(a, sort_keys=True)
    put('arch', name + '.json', text)
    h = copy.deepcopy(header)
    h['__metadata__']['architecture'] = text
    put('safetensors', 'arch-' + name + '.safetensors', st(h))
def layer(kind, **kw):
    def change(a):
        for l in a['layers']:
            if l['type'] == kind:
                l.update(kw)
    return change
variant('good', lambda a: None)
variant('stride-0', layer('maxpool', stride=0))
variant('pool-0', layer('maxpool', pool=0))
variant('filters-1e12', layer('conv', filters=10 ** 12))
variant('filters-huge', layer('conv', filters=2 ** 62))
variant('kernel-past-input', layer('conv', kernel=1000))
variant('units-1e12', layer('dense', units=10 ** 12))
variant('outputs-1e12', lambda a: a.update(outputs=10 ** 12))
variant('input-length-2e62', lambda a: a.update(inputLength=2 ** 62))
variant('layers-1001', lambda a: a.update(layers=[{'type': 'activation', 'function': 'relu'}] * 1001 + a['layers']))
variant('dropout-rate-2', lambda a: a['layers'].insert(1, {'type': 'dropout', 'rate': 2}))

hdr = "{'descr': '|u1', 'fortran_order': False, 'shape': (%s), }"
def npy(shape, body):
    h = (hdr % shape).encode()
    h += b' ' * (127 - 10 - len(h)) + b'\n'
    return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h)) + h + body
put('npy', 'shape-2e32-2e32.npy', npy('4294967296, 4294967296', bytes(16)))
put('npy', 'shape-overflow-3d.npy', npy('4294967296, 4294967296, 4294967296', bytes(16)))
put('npy', 'shape-larger-than-file.npy', npy('5, 4', bytes(12)))
put('npy', 'shape-smaller-than-file.npy', npy('2, 4', bytes(12)))

meme = 'MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m1 one\nletter-probability matrix: alength= 4 w= 2 nsites= %s E= 0\n%s\n0.1 0.2 0.3 0.4\n'
jaspar = '>MA0001.1 one\nA [ %s 0 0 0 ]\nC [ 0 1 0 0 ]\nG [ 0 0 1 0 ]\nT [ 0 0 0 1 ]\n'
homer = '>ACGT\tone/homer\t6.0\n%s 0.1 0.1 0.1\n0.25 0.25 0.25 0.25\n'
for i, v in enumerate(['1e19', 'nan', 'NaN', 'inf', '-inf', '-1', '1e308', '18446744073709551616']):
    put('motifs', f'meme-nsites-{i}.meme', meme % (v, '0.25 0.25 0.25 0.25'))
    put('motifs', f'meme-row-{i}.meme', meme % ('20', f'{v} 0.25 0.25 0.25'))
    put('motifs', f'jaspar-{i}.pfm', jaspar % v)
    put('motifs', f'homer-{i}.motifs', homer % v)

with open(bigwig, 'rb') as f:
    bw = f.read()
put('bigwig', 'small.bw', bw)
for cut in [0, 4, 63, 64, 100, len(bw) // 2, len(bw) - 4, len(bw) - 1]:
    put('bigwig', f'cut-{cut}.bw', bw[:cut])
m, ver, zooms, ctree, fdata, findex = struct.unpack('<IHHQQQ', bw[:32])
for name, at, value in [('chrom-tree-2e60', 8, 1 << 60), ('index-past-end', 24, len(bw) + 8), ('data-2e63', 16, (1 << 63) - 1)]:
    b = bytearray(bw)
    b[at:at + 8] = struct.pack('<Q', value)
    put('bigwig', name + '.bw', bytes(b))

with open(dataset_json, 'rb') as f:
    ds = json.load(f)
put('datasetjson', 'good.json', json.dumps(ds, indent=2, sort_keys=True))
for name, change in [('length-huge', lambda d: d.update(length=2 ** 62)),
                     ('length-negative', lambda d: d.update(length=-1)),
                     ('windows-1e19', lambda d: d['counts'].update(windows=10 ** 19)),
                     ('tasks-not-list', lambda d: d.update(tasks='a')),
                     ('deep', lambda d: d.update(extra=json.loads('[' * 600 + ']' * 600)))]:
    d = copy.deepcopy(ds)
    change(d)
    put('datasetjson', name + '.json', json.dumps(d, sort_keys=True))
