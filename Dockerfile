# jcnn: build with Maven, run on a slim JRE. The CPU backend needs nothing else; the CUDA runtime image arrives
# with the CUDA backend.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /jcnn
COPY pom.xml ./
COPY src ./src
COPY examples ./examples
COPY benchmarks ./benchmarks
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
WORKDIR /opt/jcnn
COPY --from=build /jcnn/src/target/jcnn-*.jar lib/
COPY --from=build /jcnn/examples/target/jcnn-examples-*.jar lib/
COPY --from=build /jcnn/benchmarks/target/benchmarks.jar lib/
# Default: train the XOR network on the CPU backend and print its predictions.
CMD ["sh", "-c", "java -cp 'lib/*' io.jcnn.examples.Xor"]
