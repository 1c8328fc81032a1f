Feature: Deploy, expose, heal, scale
  A Deployment keeps a number of copies of the app running, a Service gives
  them one address, and Kubernetes replaces a pod that goes away. Every check
  asks the cluster's API server through the kubeconfig context "kind-{{ vars.cluster_name }}";
  the last one makes sure the cluster is gone.

  @deployment
  Scenario: The Deployment lab-app runs three copies of the app
    Given the Deployment "lab-app" exists
    Then its pods carry the label "app=lab-app"
    And it runs the image "{{ vars.app_build }}" with a pull policy that works offline
    And it wants at least 3 replicas
    And its rollout completes with all its replicas available

  @service
  Scenario: The Service lab-app-svc sends node port {{ vars.app_node_port }} to the app's pods
    Given the Service "lab-app-svc" exists
    Then it is of type NodePort
    And its port {{ vars.app_port }} forwards to port {{ vars.app_port }} of the pods
    And its port {{ vars.app_port }} is open on node port {{ vars.app_node_port }}
    And it sends traffic to exactly the ready pods of the Deployment "lab-app"
    And http://{{ vars.app_node_host }}:{{ vars.app_node_port }}/ answers with the home page of a pod of the Deployment "lab-app"

  @self-heal @disruptive
  Scenario: A deleted pod is replaced by a new one
    Given the Deployment "lab-app" has at least 3 available replicas and its rollout is complete
    When the lab deletes one pod of the Deployment "lab-app"
    Then a pod with a new UID is Ready and the Deployment has all its replicas available again within 60 seconds

  @scale
  Scenario: The Deployment lab-app runs five copies
    Then the Deployment "lab-app" has 5 available replicas and its rollout is complete

  @database
  Scenario: The app lists posts from MongoDB in the cluster
    Given the Deployment "mongo" exists
    Then it runs the image "{{ vars.mongo_image }}" with a pull policy that works offline
    And it wants 1 replica
    And its rollout completes with all its replicas available
    And the Service "mongo-service" exists
    And its port {{ vars.mongo_port }} forwards to port {{ vars.mongo_port }} of the pods
    And it sends traffic to exactly the ready pods of the Deployment "mongo"
    And the Deployment "lab-app" sets DB_HOST to "mongo-service:{{ vars.mongo_port }}/posts"
    And the rollout of the Deployment "lab-app" is complete
    And http://{{ vars.app_node_host }}:{{ vars.app_node_port }}/posts?format=json lists at least 1 post

  @teardown
  Scenario: Nothing of the lab's cluster is left
    Given none of the Kubernetes objects of this lesson is left
    Then no node container of the kind cluster "{{ vars.cluster_name }}" is left
    And the kubeconfig has no context "kind-{{ vars.cluster_name }}"
