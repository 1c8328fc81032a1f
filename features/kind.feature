Feature: A Kubernetes cluster in Docker
  kind makes a Kubernetes cluster whose nodes are Docker containers; kubectl
  talks to it through the context kind writes into the kubeconfig.

  @tools
  Scenario: kind and kubectl are installed
    Then the kind CLI reports version 0.20.0 or newer
    And kubectl reports client version 1.29.0 or newer

  @cluster
  Scenario: The cluster lab runs, made from the workspace's configuration
    Given the workspace file "kind/cluster.yaml" is a kind configuration for cluster "lab"
    Then that configuration maps host port 30001 to node port 30001
    And the kind cluster "lab" has a running node
    And the kind cluster "lab" maps host port 30001 to node port 30001
    And every node of the kind cluster "lab" is Ready within 60 seconds
    And the current kubectl context is "kind-lab"

  @load-image
  Scenario: The app's image is in the node's image store
    Given the kind cluster "lab" has a running node
    Then every node of the kind cluster "lab" has the image "lab/app:v1" as built
