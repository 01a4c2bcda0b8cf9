# Decodes a TensorBoard events file written by pavlov with the protobuf runtime
# (Debian's python3-protobuf), using the field numbers of TensorFlow's
# Event / Summary messages, and checks the TFRecord framing with a CRC-32C
# computed here bit by bit. Expects the scalars `return_mean` and `loss`.
# usage: tensorboard_events.py EVENTS_FILE
import struct, sys, glob
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
fdp = descriptor_pb2.FileDescriptorProto(name="ev.proto", package="tb")
F = descriptor_pb2.FieldDescriptorProto
val = fdp.message_type.add(name="Value")
val.field.add(name="tag", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
val.field.add(name="simple_value", number=2, type=F.TYPE_FLOAT, label=F.LABEL_OPTIONAL)
summ = fdp.message_type.add(name="Summary")
summ.field.add(name="value", number=1, type=F.TYPE_MESSAGE, type_name=".tb.Value", label=F.LABEL_REPEATED)
ev = fdp.message_type.add(name="Event")
ev.field.add(name="wall_time", number=1, type=F.TYPE_DOUBLE, label=F.LABEL_OPTIONAL)
ev.field.add(name="step", number=2, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
ev.field.add(name="file_version", number=3, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
ev.field.add(name="summary", number=5, type=F.TYPE_MESSAGE, type_name=".tb.Summary", label=F.LABEL_OPTIONAL)
pool = descriptor_pool.DescriptorPool(); pool.Add(fdp)
Event = message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("tb.Event"))
def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8): crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF
def masked(c): return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF
data = open(sys.argv[1], "rb").read(); pos = 0; n = 0; tags = {}
while pos < len(data):
    (length,) = struct.unpack_from("<Q", data, pos); (lcrc,) = struct.unpack_from("<I", data, pos + 8)
    assert lcrc == masked(crc32c(data[pos:pos + 8])), "length crc"
    payload = data[pos + 12: pos + 12 + length]; (dcrc,) = struct.unpack_from("<I", data, pos + 12 + length)
    assert dcrc == masked(crc32c(payload)), "data crc"
    e = Event(); e.ParseFromString(payload); n += 1
    if n == 1: assert e.file_version == "brain.Event:2", e
    for v in e.summary.value: tags.setdefault(v.tag, []).append((e.step, v.simple_value))
    pos += 12 + length + 4
for wanted in ("return_mean", "loss", "epsilon"):
    assert wanted in tags, "no scalar " + wanted
steps = [s for s, _ in tags["return_mean"]]
assert steps == sorted(steps), "steps go backwards"
print(n, "records ok;", {t: vals[-1] for t, vals in tags.items()})
