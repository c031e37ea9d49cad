# jcnn's command line in an image that runs on NVIDIA GPUs, and on the CPU where none is given:
#
#   docker build -t jcnn .
#   docker run --rm --gpus all -v "$PWD/runs:/workspace/runs" jcnn train   # LeNet, bundled digits, on the GPU
#   docker run --rm -v "$PWD/runs:/workspace/runs" jcnn train              # the same on the CPU
#   docker run --rm --gpus all jcnn info                                   # the CUDA tiers (the default command)
#
# Stage 1 builds the runnable jar with Maven and installs it with a jlink-trimmed Java runtime (bundle/install.sh,
# the same script as the portable bundle's). Stage 2 is NVIDIA's CUDA 12 runtime image with cuDNN 9, so all three
# GPU tiers load: jcnn's PTX kernels (the driver, which --gpus mounts), cuBLAS 12 and cuDNN 9.

FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
# The POMs first, so that the dependency download is cached until they change.
COPY pom.xml ./
COPY src/pom.xml src/
COPY examples/pom.xml examples/
COPY spark/pom.xml spark/
COPY benchmarks/pom.xml benchmarks/
COPY bundle/pom.xml bundle/
RUN mvn -B -q -pl src dependency:go-offline
COPY src src
COPY bundle/install.sh bundle/
RUN mvn -B -q -DskipTests -Dmaven.javadoc.skip=true package -pl src \
    && bash bundle/install.sh /opt/jcnn

FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04
# Fonts for the text of training-curves.png and the explain pictures (the JDK draws with fontconfig).
# /workspace is writable by any user, so that `docker run --user "$(id -u):$(id -g)"` works without a mount too.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fontconfig fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /workspace && chmod 1777 /workspace
COPY --from=build /opt/jcnn /opt/jcnn
# Lets --device auto (the default) choose the GPU where --gpus gives one; without it, auto takes the CPU.
ENV PATH=/opt/jcnn:$PATH \
    JCNN_CUDA_AUTO=true
WORKDIR /workspace
ENTRYPOINT ["jcnn"]
CMD ["info"]
