package dev.jasg.nn.spec;

import dev.jasg.nn.data.FashionMnist;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static dev.jasg.nn.spec.Param.optBool;
import static dev.jasg.nn.spec.Param.optFloat;
import static dev.jasg.nn.spec.Param.optInt;
import static dev.jasg.nn.spec.Param.optString;
import static dev.jasg.nn.spec.Param.reqInt;
import static dev.jasg.nn.spec.Param.reqString;

/**
 * The training data a spec may name; {@link SpecData} loads each. Every kind takes {@code limit}
 * (use the first N examples; 0: all), {@code validation} (the fraction of those examples, the last
 * ones, held out of training and evaluated: loss, and accuracy for a classification loss; default
 * 0.1, 0 for none) and {@code eval_every} (also evaluate every N steps; 0: only at the end of each
 * epoch and of training). Immutable.
 */
public enum DatasetKind {
    /** The Fashion-MNIST training set ({@link FashionMnist}), F32 {@code [1, 28, 28]} in [0, 1], 10 classes; {@code dir} defaults to Debian's package. */
    FASHION_MNIST(List.of(optString("dir", FashionMnist.DEBIAN_DIR), optInt("limit", 0, 0), validationParam(), evalEveryParam())),
    /** A CSV file ({@link dev.jasg.nn.data.Csv}): feature columns F32 {@code [F]} and one label column. */
    CSV(List.of(reqString("path"), reqString("label_column"), optString("delimiter", ","), optBool("header", true), optInt("limit", 0, 0), validationParam(), evalEveryParam())),
    /** A folder of class sub-folders of images ({@link dev.jasg.nn.data.ImageFolder}), as F32 {@code [3, height, width]} in [0, 1]. */
    IMAGE_FOLDER(List.of(reqString("path"), reqInt("height", 1), reqInt("width", 1), optInt("limit", 0, 0), validationParam(), evalEveryParam())),
    /**
     * {@code size} examples of standard normal features of the input's shape; for a
     * classification loss, labels {@code argmax(W x)} over {@code classes} for a fixed random
     * {@code W}, else targets {@code tanh(W x)} of the output's shape (learnable in both cases).
     */
    SYNTHETIC(List.of(optInt("size", 256, 1), optInt("classes", 10, 2), optInt("seed", 0, null), optInt("limit", 0, 0), validationParam(), evalEveryParam()));

    private final List<Param> params;

    /** The held-out fraction's parameter name. */
    public static final String VALIDATION = "validation";
    /** The evaluation interval's parameter name. */
    public static final String EVAL_EVERY = "eval_every";

    private static Param validationParam() {
        return optFloat("validation", 0.1, 0.0);
    }

    private static Param evalEveryParam() {
        return optInt("eval_every", 0, 0);
    }

    DatasetKind(List<Param> params) {
        this.params = params;
    }

    /** The JSON name, lower snake case ({@code "fashion_mnist"}). */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named {@code json}. */
    public static Optional<DatasetKind> of(String json) {
        return Arrays.stream(values()).filter(t -> t.jsonName().equals(json)).findFirst();
    }

    /** The parameters. */
    public List<Param> params() {
        return params;
    }
}
