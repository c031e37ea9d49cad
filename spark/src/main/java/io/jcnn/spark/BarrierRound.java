package io.jcnn.spark;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import scala.Function1;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * One round as a Spark barrier stage: every partition's task starts together and may meet the others through its
 * {@link BarrierTaskContext}, and a failed task fails the stage, which Spark retries whole. Spark's barrier API is
 * Scala's; this is its Java face for a stage that turns each partition into one value.
 */
final class BarrierRound {
    private BarrierRound() {
    }

    /** The work of one partition's task: its rows and its barrier context in, one value out. */
    @FunctionalInterface
    interface Task<T, R> extends Serializable {
        /** Rank {@code task.partitionId()}'s value. */
        R run(Iterator<T> rows, BarrierTaskContext task) throws Exception;
    }

    /** One value per partition of {@code rows}, computed by {@code task} in a barrier stage. */
    static <T, R> JavaRDD<R> run(JavaRDD<T> rows, Task<T, R> task) {
        ClassTag<R> tag = ClassTag$.MODULE$.apply(Object.class);
        Function1<scala.collection.Iterator<T>, scala.collection.Iterator<R>> body = partition(task);
        RDD<R> values = rows.rdd().barrier().mapPartitions(body, true, tag);
        return JavaRDD.fromRDD(values, tag);
    }

    private static <T, R> Function1<scala.collection.Iterator<T>, scala.collection.Iterator<R>> partition(
            Task<T, R> task) {
        return (Function1<scala.collection.Iterator<T>, scala.collection.Iterator<R>> & Serializable) rows -> {
            try {
                R value = task.run(CollectionConverters.asJava(rows), BarrierTaskContext.get());
                return CollectionConverters.asScala(List.of(value).iterator());
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        };
    }
}
