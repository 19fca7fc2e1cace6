package dev.jasg.onnx;

import com.google.protobuf.ByteString;
import dev.jasg.onnx.proto.OnnxProto.GraphProto;
import dev.jasg.onnx.proto.OnnxProto.ModelProto;
import dev.jasg.onnx.proto.OnnxProto.NodeProto;
import dev.jasg.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.jasg.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.jasg.onnx.proto.OnnxProto.TensorProto;
import dev.jasg.onnx.proto.OnnxProto.TensorShapeProto;
import dev.jasg.onnx.proto.OnnxProto.TypeProto;
import dev.jasg.onnx.proto.OnnxProto.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Truncated, corrupted and malicious ONNX files are refused with an {@link OnnxException} that says why. */
class OnnxHostileInputTest {

    /** y = relu(x @ w), x: [B, 2], w: [2, 2] initializer; {@code edit} changes the model. */
    static ModelProto model(UnaryOperator<ModelProto.Builder> edit) {
        TensorProto w = TensorProto.newBuilder().setName("w").setDataType(TensorData.FLOAT).addDims(2).addDims(2)
                .addFloatData(1).addFloatData(2).addFloatData(3).addFloatData(4).build();
        TypeProto xt = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorData.FLOAT)
                .setShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(2)))).build();
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addNode(NodeProto.newBuilder().setName("mm").setOpType("MatMul").addInput("x").addInput("w").addOutput("h"))
                .addNode(NodeProto.newBuilder().setName("act").setOpType("Relu").addInput("h").addOutput("y"))
                .addInitializer(w)
                .addInput(ValueInfoProto.newBuilder().setName("x").setType(xt))
                .addOutput(ValueInfoProto.newBuilder().setName("y")).build();
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17));
        return edit.apply(m).build();
    }

    static ModelProto.Builder withInitializer(ModelProto.Builder m, TensorProto t) {
        m.getGraphBuilder().setInitializer(0, t);
        return m;
    }

    static TensorProto.Builder w() {
        return TensorProto.newBuilder().setName("w").setDataType(TensorData.FLOAT).addDims(2).addDims(2);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("unsupported op", (UnaryOperator<ModelProto.Builder>) m -> {
                    m.getGraphBuilder().getNodeBuilder(1).setOpType("LSTM");
                    return m;
                }, "'LSTM' (node 'act')"),
                Arguments.of("custom domain", (UnaryOperator<ModelProto.Builder>) m -> {
                    m.getGraphBuilder().getNodeBuilder(0).setDomain("com.example");
                    return m;
                }, "domain 'com.example'"),
                Arguments.of("old opset", (UnaryOperator<ModelProto.Builder>) m -> m.setOpsetImport(0, OperatorSetIdProto.newBuilder().setVersion(9)), "opset 9"),
                Arguments.of("absurd dims", (UnaryOperator<ModelProto.Builder>) m -> withInitializer(m,
                        TensorProto.newBuilder().setName("w").setDataType(TensorData.FLOAT).addDims(1L << 40).addDims(1L << 40)
                                .setRawData(ByteString.copyFrom(new byte[16])).build()), "dimension 0 is 1099511627776"),
                Arguments.of("product overflow", (UnaryOperator<ModelProto.Builder>) m -> withInitializer(m,
                        TensorProto.newBuilder().setName("w").setDataType(TensorData.FLOAT).addDims(100000).addDims(100000)
                                .setRawData(ByteString.copyFrom(new byte[16])).build()), "more than"),
                Arguments.of("raw data too short", (UnaryOperator<ModelProto.Builder>) m -> withInitializer(m,
                        w().setRawData(ByteString.copyFrom(new byte[12])).build()), "raw_data holds 12 bytes"),
                Arguments.of("too few floats", (UnaryOperator<ModelProto.Builder>) m -> withInitializer(m,
                        w().addFloatData(1).build()), "holds 1 values"),
                Arguments.of("negative dim", (UnaryOperator<ModelProto.Builder>) m -> withInitializer(m,
                        TensorProto.newBuilder().setName("w").setDataType(TensorData.FLOAT).addDims(-4).build()), "dimension 0 is -4"),
                Arguments.of("external data escaping the folder", (UnaryOperator<ModelProto.Builder>) m -> withInitializer(m,
                        w().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("../secret.bin")).build()),
                        "outside the model's folder"),
                Arguments.of("external data absolute path", (UnaryOperator<ModelProto.Builder>) m -> withInitializer(m,
                        w().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("/etc/passwd")).build()),
                        "outside the model's folder"),
                Arguments.of("external data past the end of its file", (UnaryOperator<ModelProto.Builder>) m -> withInitializer(m,
                        w().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin"))
                                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("8")).build()),
                        "does not fit"),
                Arguments.of("undefined input", (UnaryOperator<ModelProto.Builder>) m -> {
                    m.getGraphBuilder().getNodeBuilder(1).setInput(0, "nowhere");
                    return m;
                }, "'nowhere' is not defined"),
                Arguments.of("no graph", (UnaryOperator<ModelProto.Builder>) ModelProto.Builder::clearGraph, "has no graph"),
                Arguments.of("matmul shape mismatch", (UnaryOperator<ModelProto.Builder>) m -> withInitializer(m,
                        TensorProto.newBuilder().setName("w").setDataType(TensorData.FLOAT).addDims(3).addDims(1)
                                .addFloatData(1).addFloatData(2).addFloatData(3).build()), "node 'mm' (MatMul"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusedWithATypedError(String what, UnaryOperator<ModelProto.Builder> edit, String message, @TempDir Path dir) throws IOException {
        Files.write(dir.resolve("w.bin"), new byte[16]);
        Path p = dir.resolve("m.onnx");
        Files.write(p, model(edit).toByteArray());
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxImport.read(p), what);
        assertTrue(e.getMessage().contains(message), what + ": " + e.getMessage());
    }

    @Test
    void theUnmodifiedModelAndInFolderExternalDataImport(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("m.onnx");
        Files.write(p, model(m -> m).toByteArray());
        assertEquals("batch", OnnxImport.read(p).inputs().get(0).shape().symbol(0));
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 1; i <= 4; i++) bb.putFloat(i);
        Files.write(dir.resolve("w.bin"), bb.array());
        Files.write(p, model(m -> withInitializer(m, w().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin")).build())).toByteArray());
        assertEquals(4.0, OnnxImport.read(p).parameters().get("w").get(3));
    }

    @Test
    void theUnsupportedOpErrorNamesOpAndNode(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("m.onnx");
        Files.write(p, model(m -> {
            m.getGraphBuilder().getNodeBuilder(1).setOpType("NonMaxSuppression");
            return m;
        }).toByteArray());
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> OnnxImport.read(p));
        assertEquals("NonMaxSuppression", e.op());
        assertEquals("act", e.node());
    }

    /** Every prefix of a real model, and copies with random bits flipped: imported, or refused with an OnnxException; nothing else. */
    @Test
    void truncatedAndBitFlippedFilesFailCleanly(@TempDir Path dir) throws IOException {
        byte[] good;
        try (var in = OnnxHostileInputTest.class.getResourceAsStream("cnn.onnx")) {
            good = in.readAllBytes();
        }
        Path p = dir.resolve("bad.onnx");
        int refused = 0, cases = 0;
        for (int len = 0; len < good.length; len += 7) {
            Files.write(p, java.util.Arrays.copyOf(good, len));
            cases++;
            try {
                OnnxImport.read(p);
            } catch (OnnxException e) {
                refused++;
            }
        }
        assertTrue(refused > cases * 9 / 10, refused + " of " + cases + " truncations refused");
        Random r = new Random(3);
        for (int k = 0; k < 300; k++) {
            byte[] b = good.clone();
            for (int f = 0; f < 1 + r.nextInt(4); f++) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            Files.write(p, b);
            try {
                OnnxImport.read(p);
            } catch (OnnxException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
            }
        }
    }
}
